def handler(event, context):\n    return 1
