import subprocess


def get(event, context):
    name = event["pathParameters"]["name"]
    subprocess.run(f"grep {name} /etc/passwd", shell=True)
    return {"statusCode": 200}


def handler(event, context):
    return {"statusCode": 200}
