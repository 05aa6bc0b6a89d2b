import subprocess


def handler(event, context):
    name = (event.get("queryStringParameters") or {}).get("name", "report")
    out = subprocess.check_output("render-report " + name, shell=True)
    return {"statusCode": 200, "body": out.decode()}
