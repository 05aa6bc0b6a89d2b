def handler(event, context):
    return {"statusCode": 200}


def worker(event, context):
    return None
