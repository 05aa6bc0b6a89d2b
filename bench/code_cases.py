"""The seeded flaws and their safe look-alikes for bench/gen_code.py, one catalogue per language.

A *sink template* is the code around one dangerous call: `$V` stands for the value that comes
from the event (or from a harmless place, for a look-alike), `$E` for the event itself, and the
line that ends with `#S#` is the one a tool should point at. `imp` lines go to the top of the
file that receives the code, `setup` lines after the imports (module-level objects such as a
database connection). `want` says what kind of value the template needs: `text` (one field),
`doc` (a raw payload: a body, a message), `auth` (the Authorization header) or `event` (only
`$E` is used). `ret` marks code that ends the handler with a response.

A template with `safe` set is a look-alike: the reason it cannot be exploited. Every template
without it is a real flaw when `$V` comes from an attacker-shaped part of the event.

Sources are per trigger: `text`/`doc`/`auth` give attacker-shaped values (prep lines and an
expression, `@p@` a fresh variable, `@f@` a field name), `calm` gives fields an outsider does
not shape (request ids, event times, message ids, ARNs), and the environment is a third kind
of harmless value.
"""


def T(kind, name, code, want="text", imp=(), setup=(), fields=("name",), safe=None, ret=False, http=False):
    return {
        "kind": kind,
        "name": name,
        "code": list(code),
        "want": want,
        "imp": list(imp),
        "setup": list(setup),
        "fields": list(fields),
        "safe": safe,
        "ret": ret,
        "http": http,
    }


# ---------------------------------------------------------------------------------------------
# Python
# ---------------------------------------------------------------------------------------------

PY_MYSQL = ['mysql_conn = pymysql.connect(host=os.environ["DB_HOST"], user=os.environ["DB_USER"], '
            'password=os.environ["DB_PASSWORD"], database="shop")']
PY_PG = ['pg_conn = psycopg2.connect(os.environ["DATABASE_URL"])']
PY_SQLITE = ['sqlite_conn = sqlite3.connect("/tmp/cache.db")']
PY_SQLA = ['engine = sqlalchemy.create_engine(os.environ["DATABASE_URL"])']
PY_MONGO = ['mongo = pymongo.MongoClient(os.environ["MONGO_URL"])', "orders_col = mongo.shop.orders"]
FILE_FIELDS = ("filename", "report", "document", "key")
URL_FIELDS = ("url", "callback_url", "webhook", "image_url")
CMD_FIELDS = ("filename", "archive", "image", "key")
ID_FIELDS = ("order_id", "customer_id", "sku", "user_id")
EXPR_FIELDS = ("expression", "rule", "formula")
PAGE_FIELDS = ("q", "name", "search")
NEXT_FIELDS = ("next", "redirect", "return_to")

PY_TEMPLATES = [
    # PAL301 OS commands
    T("PAL301", "subprocess-shell-fstring",
      ['subprocess.run(f"convert /tmp/{$V} -thumbnail 256x256 /tmp/thumb.png", shell=True, check=True)#S#'],
      imp=["import subprocess"], fields=CMD_FIELDS),
    T("PAL301", "os-system-concat", ['os.system("tar -czf /tmp/archive.tgz -C /tmp " + $V)#S#'],
      imp=["import os"], fields=CMD_FIELDS),
    T("PAL301", "check-output-shell",
      ['listing = subprocess.check_output("ls -la /tmp/exports/" + $V, shell=True)#S#',
       'logger.info("listing has %d bytes", len(listing))'], imp=["import subprocess"], fields=CMD_FIELDS),
    T("PAL301", "popen-shell",
      ['proc = subprocess.Popen(f"ffmpeg -i /tmp/{$V} -vn /tmp/audio.mp3", shell=True)#S#', "proc.wait()"],
      imp=["import subprocess"], fields=CMD_FIELDS),
    T("PAL301", "os-popen-format",
      ['with os.popen("wc -l /tmp/%s" % $V) as pipe:#S#', "    line_count = pipe.read().strip()"],
      imp=["import os"], fields=CMD_FIELDS),
    T("PAL301", "argument-list",
      ['subprocess.run(["convert", f"/tmp/{$V}", "-thumbnail", "256x256", "/tmp/thumb.png"], check=True)#S#'],
      imp=["import subprocess"], fields=CMD_FIELDS, safe="argument list, no shell"),
    T("PAL301", "shlex-quote",
      ['subprocess.run("tar -czf /tmp/archive.tgz -C /tmp " + shlex.quote($V), shell=True, check=True)#S#'],
      imp=["import shlex", "import subprocess"], fields=CMD_FIELDS, safe="shlex.quote"),
    T("PAL301", "constant-command",
      ['logger.info("resetting scratch space for %s", $V)',
       'os.system("rm -rf /tmp/scratch && mkdir -p /tmp/scratch")#S#'],
      imp=["import os"], fields=CMD_FIELDS, safe="constant command"),
    T("PAL301", "int-cast",
      ['subprocess.run(f"split -l {int($V)} /tmp/data.csv /tmp/part-", shell=True, check=True)#S#'],
      imp=["import subprocess"], fields=("lines", "chunk_size"), safe="int() cast"),
    # PAL302 code evaluation
    T("PAL302", "eval", ["result = eval($V)#S#", 'logger.info("rule evaluated to %s", result)'], fields=EXPR_FIELDS),
    T("PAL302", "exec-restricted", ['exec($V, {"__builtins__": {}})#S#'], fields=EXPR_FIELDS),
    T("PAL302", "eval-lambda", ['scorer = eval("lambda row: " + $V)#S#', 'score = scorer({"amount": 10})'],
      fields=EXPR_FIELDS),
    T("PAL302", "literal-eval", ["value = ast.literal_eval($V)#S#"], imp=["import ast"], fields=EXPR_FIELDS,
      safe="ast.literal_eval"),
    T("PAL302", "lookup-table", ["operation = OPERATIONS.get($V, operator.add)#S#", "result = operation(2, 3)"],
      imp=["import operator"],
      setup=['OPERATIONS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}'],
      fields=("op", "operation"), safe="constant table lookup"),
    T("PAL302", "float-cast", ['value = eval(f"{float($V)} * 1.2")#S#'], fields=("amount", "price"),
      safe="float() cast"),
    # PAL303 SQL
    T("PAL303", "pymysql-percent",
      ["cur = mysql_conn.cursor()", "cur.execute(\"SELECT * FROM orders WHERE order_id = '%s'\" % $V)#S#",
       "rows = cur.fetchall()"], imp=["import pymysql"], setup=PY_MYSQL, fields=ID_FIELDS),
    T("PAL303", "psycopg2-fstring",
      ["with pg_conn.cursor() as cur:", "    cur.execute(f\"DELETE FROM sessions WHERE user_id = '{$V}'\")#S#"],
      imp=["import psycopg2"], setup=PY_PG, fields=ID_FIELDS),
    T("PAL303", "sqlite-concat",
      ["rows = sqlite_conn.execute(\"SELECT sku, qty FROM stock WHERE sku = '\" + $V + \"'\").fetchall()#S#"],
      imp=["import sqlite3"], setup=PY_SQLITE, fields=ID_FIELDS),
    T("PAL303", "sqlalchemy-text",
      ["with engine.connect() as db:",
       "    rows = db.execute(sqlalchemy.text(f\"SELECT * FROM invoices WHERE customer = '{$V}'\")).fetchall()#S#"],
      imp=["import sqlalchemy"], setup=PY_SQLA, fields=ID_FIELDS),
    T("PAL303", "pymysql-params",
      ["cur = mysql_conn.cursor()", 'cur.execute("SELECT * FROM orders WHERE order_id = %s", ($V,))#S#'],
      imp=["import pymysql"], setup=PY_MYSQL, fields=ID_FIELDS, safe="parameterized query"),
    T("PAL303", "sqlite-params",
      ['rows = sqlite_conn.execute("SELECT sku, qty FROM stock WHERE sku = ?", ($V,)).fetchall()#S#'],
      imp=["import sqlite3"], setup=PY_SQLITE, fields=ID_FIELDS, safe="parameterized query"),
    T("PAL303", "int-cast",
      ["cur = mysql_conn.cursor()", 'cur.execute("SELECT * FROM orders WHERE order_id = %d" % int($V))#S#'],
      imp=["import pymysql"], setup=PY_MYSQL, fields=ID_FIELDS, safe="int() cast"),
    T("PAL303", "sqlalchemy-bind",
      ["with engine.connect() as db:",
       '    rows = db.execute(sqlalchemy.text("SELECT * FROM invoices WHERE customer = :customer"), '
       '{"customer": $V}).fetchall()#S#'],
      imp=["import sqlalchemy"], setup=PY_SQLA, fields=ID_FIELDS, safe="bound parameter"),
    # PAL304 NoSQL
    T("PAL304", "find-parsed-filter", ["found = orders_col.find_one(json.loads($V))#S#"], want="doc",
      imp=["import pymongo"], setup=PY_MONGO),
    T("PAL304", "where-concat", ["cursor = orders_col.find({\"$where\": \"this.owner == '\" + $V + \"'\"})#S#"],
      imp=["import pymongo"], setup=PY_MONGO, fields=("owner", "user_id")),
    T("PAL304", "delete-parsed-filter", ['removed = orders_col.delete_many(json.loads($V)["filter"])#S#'],
      want="doc", imp=["import pymongo"], setup=PY_MONGO),
    T("PAL304", "str-coerced", ['found = orders_col.find_one({"orderId": str($V)})#S#'],
      imp=["import pymongo"], setup=PY_MONGO, fields=ID_FIELDS, safe="str() leaves no operator"),
    T("PAL304", "int-cast", ['found = orders_col.find_one({"orderNumber": int($V)})#S#'],
      imp=["import pymongo"], setup=PY_MONGO, fields=ID_FIELDS, safe="int() cast"),
    T("PAL304", "constant-filter",
      ['active = list(orders_col.find({"status": "active"}).limit(20))#S#', 'logger.info("lookup by %s", $V)'],
      imp=["import pymongo"], setup=PY_MONGO, fields=ID_FIELDS, safe="constant filter"),
    # PAL305 deserialization
    T("PAL305", "pickle-b64", ["job = pickle.loads(base64.b64decode($V))#S#"], want="doc",
      imp=["import base64", "import pickle"]),
    T("PAL305", "yaml-loader", ["config = yaml.load($V, Loader=yaml.Loader)#S#"], want="doc", imp=["import yaml"]),
    T("PAL305", "jsonpickle", ["state = jsonpickle.decode($V)#S#"], want="doc", imp=["import jsonpickle"]),
    T("PAL305", "yaml-unsafe-load", ["snapshot = yaml.unsafe_load($V)#S#"], want="doc", imp=["import yaml"]),
    T("PAL305", "yaml-safe-load", ["config = yaml.safe_load($V)#S#"], want="doc", imp=["import yaml"],
      safe="yaml.safe_load"),
    T("PAL305", "yaml-safeloader", ["config = yaml.load($V, Loader=yaml.SafeLoader)#S#"], want="doc",
      imp=["import yaml"], safe="SafeLoader"),
    T("PAL305", "json", ["job = json.loads($V)#S#"], want="doc", safe="JSON"),
    T("PAL305", "trusted-pickle",
      ['with open(MODEL_PATH, "rb") as fh:', "    model = pickle.load(fh)#S#",
       'logger.info("scoring a payload of %d bytes", len($V))'],
      want="doc", imp=["import pickle"], setup=['MODEL_PATH = "/opt/model/model.pkl"'],
      safe="pickle from a file shipped with the code"),
    # PAL306 XML
    T("PAL306", "lxml-fromstring", ["doc = etree.fromstring($V.encode())#S#", 'title = doc.findtext("title")'],
      want="doc", imp=["from lxml import etree"]),
    T("PAL306", "minidom", ["dom = minidom.parseString($V)#S#"], want="doc", imp=["from xml.dom import minidom"]),
    T("PAL306", "elementtree", ["root = ET.fromstring($V)#S#"], want="doc",
      imp=["import xml.etree.ElementTree as ET"]),
    T("PAL306", "defusedxml", ["root = DET.fromstring($V)#S#"], want="doc",
      imp=["import defusedxml.ElementTree as DET"], safe="defusedxml"),
    T("PAL306", "lxml-hardened-parser",
      ["parser = etree.XMLParser(resolve_entities=False, no_network=True)",
       "doc = etree.fromstring($V.encode(), parser)#S#"],
      want="doc", imp=["from lxml import etree"], safe="parser without entities or network"),
    T("PAL306", "constant-xml", ["root = ET.fromstring(EMPTY_MANIFEST)#S#", 'root.set("source", $V)'],
      imp=["import xml.etree.ElementTree as ET"], setup=["EMPTY_MANIFEST = '<manifest version=\"1\"/>'"],
      fields=("source", "origin"), safe="constant document"),
    # PAL307 SSRF
    T("PAL307", "requests-get", ["resp = requests.get($V, timeout=5)#S#", "page = resp.text"],
      imp=["import requests"], fields=URL_FIELDS),
    T("PAL307", "urlopen", ["with urllib.request.urlopen($V, timeout=10) as resp:#S#", "    data = resp.read()"],
      imp=["import urllib.request"], fields=URL_FIELDS),
    T("PAL307", "requests-post-prefix",
      ['resp = requests.post(f"{$V}/notify", json={"status": "done"}, timeout=5)#S#'],
      imp=["import requests"], fields=URL_FIELDS),
    T("PAL307", "httpx-get", ["resp = httpx.get($V, follow_redirects=True)#S#"], imp=["import httpx"],
      fields=URL_FIELDS),
    T("PAL307", "fixed-host-quoted",
      ['resp = requests.get("https://api.example.com/v2/items/" + quote($V, safe=""), timeout=5)#S#'],
      imp=["import requests", "from urllib.parse import quote"], fields=ID_FIELDS, safe="fixed host"),
    T("PAL307", "fixed-host-path", ['resp = requests.get(f"https://status.example.com/checks/{$V}", timeout=5)#S#'],
      imp=["import requests"], fields=ID_FIELDS, safe="fixed host"),
    T("PAL307", "constant-url",
      ["resp = requests.get(HEALTH_URL, timeout=5)#S#", 'logger.info("health for %s: %s", $V, resp.status_code)'],
      imp=["import requests"], setup=['HEALTH_URL = "https://status.example.com/health"'], fields=ID_FIELDS,
      safe="constant URL"),
    # PAL308 paths
    T("PAL308", "open-concat", ['with open("/tmp/reports/" + $V) as fh:#S#', "    content = fh.read()"],
      fields=FILE_FIELDS),
    T("PAL308", "os-remove-join", ['os.remove(os.path.join("/tmp/uploads", $V))#S#'], imp=["import os"],
      fields=FILE_FIELDS),
    T("PAL308", "copyfile-destination", ['shutil.copyfile("/tmp/template.xlsx", f"/tmp/exports/{$V}")#S#'],
      imp=["import shutil"], fields=FILE_FIELDS),
    T("PAL308", "open-write", ['with open(f"/mnt/efs/{$V}", "wb") as fh:#S#', '    fh.write(b"")'],
      fields=FILE_FIELDS),
    T("PAL308", "basename",
      ['with open(os.path.join("/tmp/reports", os.path.basename($V))) as fh:#S#', "    content = fh.read()"],
      imp=["import os"], fields=FILE_FIELDS, safe="basename"),
    T("PAL308", "constant-path",
      ['with open("/tmp/reports/latest.csv") as fh:#S#', "    content = fh.read()",
       'logger.info("report requested for %s", $V)'], fields=FILE_FIELDS, safe="constant path"),
    T("PAL308", "int-cast", ['os.remove(f"/tmp/uploads/{int($V)}.part")#S#'], imp=["import os"],
      fields=("part", "chunk"), safe="int() cast"),
    # PAL309 XSS
    T("PAL309", "html-concat",
      ['return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, '
       '"body": "<h1>Results for " + $V + "</h1>"}#S#'], fields=PAGE_FIELDS, ret=True, http=True),
    T("PAL309", "html-fstring",
      ['page = f"<html><body><p>Hello {$V}</p></body></html>"',
       'return {"statusCode": 200, "headers": {"Content-Type": "text/html; charset=utf-8"}, "body": page}#S#'],
      fields=PAGE_FIELDS, ret=True, http=True),
    T("PAL309", "html-escape",
      ['return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, '
       '"body": "<h1>Results for " + html.escape($V) + "</h1>"}#S#'],
      imp=["import html"], fields=PAGE_FIELDS, ret=True, http=True, safe="html.escape"),
    T("PAL309", "json-body",
      ['return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, '
       '"body": json.dumps({"query": $V})}#S#'], fields=PAGE_FIELDS, ret=True, http=True, safe="JSON response"),
    # PAL310 open redirect
    T("PAL310", "location", ['return {"statusCode": 302, "headers": {"Location": $V}}#S#'], fields=NEXT_FIELDS,
      ret=True, http=True),
    T("PAL310", "location-host",
      ['return {"statusCode": 301, "headers": {"Location": "https://" + $V + "/welcome"}}#S#'],
      fields=("host", "domain"), ret=True, http=True),
    T("PAL310", "fixed-host",
      ['return {"statusCode": 302, "headers": {"Location": "https://app.example.com/" + quote($V)}}#S#'],
      imp=["from urllib.parse import quote"], fields=NEXT_FIELDS, ret=True, http=True, safe="fixed host"),
    T("PAL310", "allow-list",
      ['target = $V if $V in ALLOWED_REDIRECTS else "/"',
       'return {"statusCode": 302, "headers": {"Location": target}}#S#'],
      setup=['ALLOWED_REDIRECTS = {"/", "/account", "/orders"}'], fields=NEXT_FIELDS, ret=True, http=True,
      safe="allow-list"),
    T("PAL310", "constant-location",
      ['logger.info("session expired for %s", $V)',
       'return {"statusCode": 302, "headers": {"Location": "/login?reason=expired"}}#S#'],
      fields=NEXT_FIELDS, ret=True, http=True, safe="constant location"),
    # PAL312 JWT
    T("PAL312", "decode-no-verify",
      ['token = $V.split(" ")[-1]', 'claims = jwt.decode(token, options={"verify_signature": False})#S#',
       'subject = claims["sub"]'], want="auth", imp=["import jwt"], http=True),
    T("PAL312", "decode-verify-false", ['claims = jwt.decode($V.replace("Bearer ", ""), verify=False)#S#'],
      want="auth", imp=["import jwt"], http=True),
    T("PAL312", "decode-verified",
      ['claims = jwt.decode($V.split(" ")[-1], JWT_PUBLIC_KEY, algorithms=["RS256"])#S#'],
      want="auth", imp=["import jwt"], setup=['JWT_PUBLIC_KEY = os.environ["JWT_PUBLIC_KEY"]'], http=True,
      safe="signature verified"),
    T("PAL312", "unverified-header",
      ['header = jwt.get_unverified_header($V.split(" ")[-1])#S#', 'key_id = header.get("kid")'],
      want="auth", imp=["import jwt"], http=True, safe="reads only the key id"),
    # PAL313 logs
    T("PAL313", "log-whole-event", ['logger.info("received event: %s", json.dumps($E))#S#'], want="event"),
    T("PAL313", "print-event", ["print($E)#S#"], want="event"),
    T("PAL313", "log-auth-header", ['logger.debug("auth header: %s", $E["headers"].get("Authorization"))#S#'],
      want="event", http=True),
    T("PAL313", "print-password", ["password = $V", 'print("login attempt", password)#S#'], fields=("password",),
      http=True),
    T("PAL313", "log-count", ['logger.info("processing %d records", len($E.get("Records", [])))#S#'],
      want="event", safe="a count"),
    T("PAL313", "log-field", ['logger.info("lookup for %s", $V)#S#'], fields=ID_FIELDS, safe="an id"),
    T("PAL313", "log-keys", ['logger.info("event keys: %s", sorted($E.keys()))#S#'], want="event",
      safe="key names only"),
    # PAL314 stack traces
    T("PAL314", "format-exc",
      ["try:", "    order = json.loads($V)", '    return {"statusCode": 200, "body": json.dumps(order)}',
       "except Exception:", '    return {"statusCode": 500, "body": traceback.format_exc()}#S#'],
      want="doc", imp=["import traceback"], ret=True, http=True),
    T("PAL314", "str-exception",
      ["try:", "    order = json.loads($V)", '    return {"statusCode": 200, "body": json.dumps(order)}',
       "except Exception as exc:", '    return {"statusCode": 500, "body": str(exc)}#S#'],
      want="doc", ret=True, http=True),
    T("PAL314", "trace-in-json",
      ["try:", "    order = json.loads($V)", '    return {"statusCode": 200, "body": json.dumps(order)}',
       "except Exception as exc:",
       '    return {"statusCode": 500, "body": json.dumps({"error": repr(exc), "trace": traceback.format_exc()})}#S#'],
      want="doc", imp=["import traceback"], ret=True, http=True),
    T("PAL314", "logged-generic",
      ["try:", "    order = json.loads($V)", '    return {"statusCode": 200, "body": json.dumps(order)}',
       "except Exception:", '    logger.exception("order failed")',
       '    return {"statusCode": 500, "body": json.dumps({"error": "internal error"})}#S#'],
      want="doc", ret=True, http=True, safe="generic message, trace logged"),
    T("PAL314", "logged-warning",
      ["try:", "    order = json.loads($V)", '    return {"statusCode": 200, "body": json.dumps(order)}',
       "except ValueError as exc:", '    logger.warning("bad order: %s", exc)',
       '    return {"statusCode": 400, "body": json.dumps({"error": "invalid order"})}#S#'],
      want="doc", ret=True, http=True, safe="generic message"),
]

PY_SOURCES = {
    "http": {
        "text": [
            ([], 'event["queryStringParameters"]["@f@"]', "queryStringParameters"),
            ([], 'event["pathParameters"]["@f@"]', "pathParameters"),
            (['@p@ = json.loads(event["body"])'], '@p@["@f@"]', "body"),
            ([], 'event["headers"].get("x-@F@", "")', "headers"),
        ],
        "doc": [([], 'event["body"]', "body")],
        "auth": [([], 'event["headers"].get("authorization", "")', "headers.authorization")],
        "calm": [([], 'event["requestContext"]["requestId"]', "requestContext.requestId"),
                 ([], 'event["requestContext"]["stage"]', "requestContext.stage"),
                 ([], 'event["stageVariables"]["@f@"]', "stageVariables")],
    },
    "s3": {
        "text": [([], 'unquote_plus(record["s3"]["object"]["key"])', "s3.object.key"),
                 ([], 'record["s3"]["object"]["key"]', "s3.object.key")],
        "calm": [([], 'record["eventTime"]', "eventTime"), ([], 'record["awsRegion"]', "awsRegion"),
                 ([], 'record["s3"]["object"]["eTag"]', "s3.object.eTag")],
    },
    "sqs": {
        "text": [(['@p@ = json.loads(record["body"])'], '@p@["@f@"]', "body"),
                 ([], 'record["messageAttributes"]["@f@"]["stringValue"]', "messageAttributes")],
        "doc": [([], 'record["body"]', "body")],
        "calm": [([], 'record["messageId"]', "messageId"),
                 ([], 'record["attributes"]["SenderId"]', "attributes.SenderId"),
                 ([], 'record["eventSourceARN"]', "eventSourceARN")],
    },
    "sns": {
        "text": [(['@p@ = json.loads(record["Sns"]["Message"])'], '@p@["@f@"]', "Sns.Message"),
                 ([], 'record["Sns"]["Subject"]', "Sns.Subject")],
        "doc": [([], 'record["Sns"]["Message"]', "Sns.Message")],
        "calm": [([], 'record["Sns"]["TopicArn"]', "Sns.TopicArn"), ([], 'record["Sns"]["MessageId"]', "Sns.MessageId"),
                 ([], 'record["Sns"]["Timestamp"]', "Sns.Timestamp")],
    },
    "dynamodb": {
        "text": [([], 'record["dynamodb"]["NewImage"]["@f@"]["S"]', "dynamodb.NewImage")],
        "calm": [([], 'record["eventID"]', "eventID"), ([], 'record["awsRegion"]', "awsRegion")],
    },
    "eventbridge": {
        "text": [([], 'event["detail"]["@f@"]', "detail")],
        "doc": [([], 'json.dumps(event["detail"])', "detail")],
        "calm": [([], 'event["account"]', "account"), ([], 'event["region"]', "region"), ([], 'event["time"]', "time")],
    },
    "schedule": {
        "text": [([], 'event.get("@f@", "default")', "schedule input")],
        "doc": [([], 'event.get("payload", "{}")', "schedule input")],
    },
}
PY_ENV = ([], 'os.environ["@F@"]', "environment")

# ---------------------------------------------------------------------------------------------
# JavaScript
# ---------------------------------------------------------------------------------------------

JS_MYSQL = ['const mysql = require("mysql2/promise");',
            'const pool = mysql.createPool({ host: process.env.DB_HOST, user: process.env.DB_USER, database: "shop" });']
JS_PG = ['const { Pool } = require("pg");', "const pgPool = new Pool();"]
JS_KNEX = ['const knex = require("knex")({ client: "pg", connection: process.env.DATABASE_URL });']
JS_MONGO = ['const { MongoClient } = require("mongodb");', "const mongo = new MongoClient(process.env.MONGO_URL);",
            'const ordersCol = mongo.db("shop").collection("orders");']
J_FILE = ("fileName", "report", "documentKey", "key")
J_URL = ("url", "callbackUrl", "webhook", "imageUrl")
J_ID = ("orderId", "customerId", "sku", "userId")
J_EXPR = ("expression", "rule", "formula")
J_PAGE = ("q", "name", "search")
J_NEXT = ("next", "redirect", "returnTo")

JS_TEMPLATES = [
    # PAL301
    T("PAL301", "execsync-template", ["execSync(`convert /tmp/${$V} -thumbnail 256x256 /tmp/thumb.png`);#S#"],
      imp=['const { execSync } = require("child_process");'], fields=J_FILE),
    T("PAL301", "exec-concat",
      ['childProcess.exec("tar -czf /tmp/archive.tgz -C /tmp " + $V, (err) => {#S#',
       '  if (err) console.error("archive failed", err.message);', "});"],
      imp=['const childProcess = require("child_process");'], fields=J_FILE),
    T("PAL301", "spawnsync-shell", ["spawnSync(`gzip -t /tmp/${$V}`, { shell: true });#S#"],
      imp=['const { spawnSync } = require("child_process");'], fields=J_FILE),
    T("PAL301", "spawn-sh-c", ['spawn("sh", ["-c", "gzip -t /tmp/" + $V]);#S#'],
      imp=['const { spawn } = require("child_process");'], fields=J_FILE),
    T("PAL301", "execfile-args",
      ['execFileSync("convert", [`/tmp/${$V}`, "-thumbnail", "256x256", "/tmp/thumb.png"]);#S#'],
      imp=['const { execFileSync } = require("child_process");'], fields=J_FILE, safe="argument list, no shell"),
    T("PAL301", "constant-command",
      ['execSync("rm -rf /tmp/scratch && mkdir -p /tmp/scratch");#S#', 'console.log("scratch reset for", $V);'],
      imp=['const { execSync } = require("child_process");'], fields=J_FILE, safe="constant command"),
    T("PAL301", "spawnsync-args", ['spawnSync("gzip", ["-t", `/tmp/${$V}`]);#S#'],
      imp=['const { spawnSync } = require("child_process");'], fields=J_FILE, safe="argument list, no shell"),
    T("PAL301", "parseint", ["execSync(`split -l ${parseInt($V, 10)} /tmp/data.csv /tmp/part-`);#S#"],
      imp=['const { execSync } = require("child_process");'], fields=("lines", "chunkSize"), safe="parseInt"),
    # PAL302
    T("PAL302", "eval", ["const result = eval($V);#S#", 'console.log("rule result", result);'], fields=J_EXPR),
    T("PAL302", "new-function",
      ['const scorer = new Function("row", "return " + $V);#S#', "const score = scorer({ amount: 10 });"],
      fields=J_EXPR),
    T("PAL302", "vm", ["const out = vm.runInNewContext($V, { Math });#S#"], imp=['const vm = require("vm");'],
      fields=J_EXPR),
    T("PAL302", "json-parse", ["const rule = JSON.parse($V);#S#"], fields=J_EXPR, safe="JSON"),
    T("PAL302", "lookup-table", ["const operation = OPERATIONS[$V] || OPERATIONS.add;#S#",
                                 "const result = operation(2, 3);"],
      setup=["const OPERATIONS = { add: (a, b) => a + b, sub: (a, b) => a - b };"], fields=("op", "operation"),
      safe="constant table lookup"),
    T("PAL302", "settimeout-function", ["setTimeout(() => flushMetrics($V), 100);#S#"],
      setup=["function flushMetrics(tag) { return String(tag).length; }"], fields=("tag", "label"),
      safe="a function, not a string"),
    # PAL303
    T("PAL303", "mysql2-template",
      ["const [rows] = await pool.query(`SELECT * FROM orders WHERE order_id = '${$V}'`);#S#"],
      setup=JS_MYSQL, fields=J_ID),
    T("PAL303", "pg-concat", ["const res = await pgPool.query(\"DELETE FROM sessions WHERE user_id = '\" + $V + \"'\");#S#"],
      setup=JS_PG, fields=J_ID),
    T("PAL303", "knex-whereraw", ["const rows = await knex(\"orders\").whereRaw(`customer = '${$V}'`);#S#"],
      setup=JS_KNEX, fields=J_ID),
    T("PAL303", "mysql2-params", ['const [rows] = await pool.query("SELECT * FROM orders WHERE order_id = ?", [$V]);#S#'],
      setup=JS_MYSQL, fields=J_ID, safe="parameterized query"),
    T("PAL303", "pg-params", ['const res = await pgPool.query("DELETE FROM sessions WHERE user_id = $1", [$V]);#S#'],
      setup=JS_PG, fields=J_ID, safe="parameterized query"),
    T("PAL303", "number-cast",
      ["const [rows] = await pool.query(`SELECT * FROM orders WHERE order_id = ${Number($V)}`);#S#"],
      setup=JS_MYSQL, fields=J_ID, safe="Number() cast"),
    T("PAL303", "knex-where", ['const rows = await knex("orders").where({ customer: $V });#S#'],
      setup=JS_KNEX, fields=J_ID, safe="query builder binds the value"),
    # PAL304
    T("PAL304", "findone-parsed", ["const found = await ordersCol.findOne(JSON.parse($V));#S#"], want="doc",
      setup=JS_MONGO),
    T("PAL304", "where-template", ["const cursor = ordersCol.find({ $where: `this.owner == '${$V}'` });#S#"],
      setup=JS_MONGO, fields=("owner", "userId")),
    T("PAL304", "deletemany-parsed", ["const removed = await ordersCol.deleteMany(JSON.parse($V).filter);#S#"],
      want="doc", setup=JS_MONGO),
    T("PAL304", "string-coerced", ["const found = await ordersCol.findOne({ orderId: String($V) });#S#"],
      setup=JS_MONGO, fields=J_ID, safe="String() leaves no operator"),
    T("PAL304", "number-cast", ["const found = await ordersCol.findOne({ orderNumber: Number($V) });#S#"],
      setup=JS_MONGO, fields=J_ID, safe="Number() cast"),
    T("PAL304", "constant-filter",
      ['const active = await ordersCol.find({ status: "active" }).limit(20).toArray();#S#',
       'console.log("lookup by", $V);'], setup=JS_MONGO, fields=J_ID, safe="constant filter"),
    # PAL305
    T("PAL305", "unserialize-b64", ['const session = serialize.unserialize(Buffer.from($V, "base64").toString());#S#'],
      want="doc", imp=['const serialize = require("node-serialize");']),
    T("PAL305", "unserialize", ["const job = serialize.unserialize($V);#S#"], want="doc",
      imp=['const serialize = require("node-serialize");']),
    T("PAL305", "json-b64", ['const session = JSON.parse(Buffer.from($V, "base64").toString());#S#'], want="doc",
      safe="JSON"),
    T("PAL305", "yaml-parse", ["const config = YAML.parse($V);#S#"], want="doc", imp=['const YAML = require("yaml");'],
      safe="yaml (no code types)"),
    # PAL306
    T("PAL306", "libxmljs-noent", ["const doc = libxmljs.parseXml($V, { noent: true });#S#"], want="doc",
      imp=['const libxmljs = require("libxmljs");']),
    T("PAL306", "libxmljs-string-noent", ["const doc = libxmljs.parseXmlString($V, { noent: true, nonet: false });#S#"],
      want="doc", imp=['const libxmljs = require("libxmljs");']),
    T("PAL306", "libxmljs-default", ["const doc = libxmljs.parseXml($V);#S#"], want="doc",
      imp=['const libxmljs = require("libxmljs");'], safe="entities not substituted"),
    T("PAL306", "fast-xml-parser", ["const doc = new XMLParser().parse($V);#S#"], want="doc",
      imp=['const { XMLParser } = require("fast-xml-parser");'], safe="parser without DTDs"),
    # PAL307
    T("PAL307", "axios-get", ["const res = await axios.get($V);#S#"], imp=['const axios = require("axios");'],
      fields=J_URL),
    T("PAL307", "fetch-post", ['const res = await fetch($V, { method: "POST", body: "{}" });#S#'], fields=J_URL),
    T("PAL307", "got", ["const res = await got($V).json();#S#"], imp=['const got = require("got");'], fields=J_URL),
    T("PAL307", "https-get", ["https.get($V, (res) => res.resume());#S#"], imp=['const https = require("https");'],
      fields=J_URL),
    T("PAL307", "fixed-host-encoded",
      ["const res = await fetch(`https://api.example.com/v2/items/${encodeURIComponent($V)}`);#S#"], fields=J_ID,
      safe="fixed host"),
    T("PAL307", "fixed-host-path", ['const res = await axios.get("https://status.example.com/checks/" + $V);#S#'],
      imp=['const axios = require("axios");'], fields=J_ID, safe="fixed host"),
    T("PAL307", "constant-url", ["const res = await fetch(HEALTH_URL);#S#", 'console.log("health", $V, res.status);'],
      setup=['const HEALTH_URL = "https://status.example.com/health";'], fields=J_ID, safe="constant URL"),
    # PAL308
    T("PAL308", "readfilesync-template", ['const content = fs.readFileSync(`/tmp/reports/${$V}`, "utf8");#S#'],
      imp=['const fs = require("fs");'], fields=J_FILE),
    T("PAL308", "promises-writefile-join", ['await fs.promises.writeFile(path.join("/tmp/exports", $V), "");#S#'],
      imp=['const fs = require("fs");', 'const path = require("path");'], fields=J_FILE),
    T("PAL308", "createreadstream", ['const stream = fs.createReadStream("/tmp/uploads/" + $V);#S#'],
      imp=['const fs = require("fs");'], fields=J_FILE),
    T("PAL308", "unlink-resolve", ['fs.unlinkSync(path.resolve("/tmp/uploads", $V));#S#'],
      imp=['const fs = require("fs");', 'const path = require("path");'], fields=J_FILE),
    T("PAL308", "basename",
      ['const content = fs.readFileSync(path.join("/tmp/reports", path.basename($V)), "utf8");#S#'],
      imp=['const fs = require("fs");', 'const path = require("path");'], fields=J_FILE, safe="basename"),
    T("PAL308", "constant-path",
      ['const content = fs.readFileSync("/tmp/reports/latest.csv", "utf8");#S#', 'console.log("report for", $V);'],
      imp=['const fs = require("fs");'], fields=J_FILE, safe="constant path"),
    T("PAL308", "parseint", ["fs.unlinkSync(`/tmp/uploads/${parseInt($V, 10)}.part`);#S#"],
      imp=['const fs = require("fs");'], fields=("part", "chunk"), safe="parseInt"),
    # PAL309
    T("PAL309", "html-template",
      ['return { statusCode: 200, headers: { "Content-Type": "text/html" }, body: `<h1>Results for ${$V}</h1>` };#S#'],
      fields=J_PAGE, ret=True, http=True),
    T("PAL309", "html-concat",
      ['const page = "<html><body><p>Hello " + $V + "</p></body></html>";',
       'return { statusCode: 200, headers: { "Content-Type": "text/html; charset=utf-8" }, body: page };#S#'],
      fields=J_PAGE, ret=True, http=True),
    T("PAL309", "he-encode",
      ['return { statusCode: 200, headers: { "Content-Type": "text/html" }, '
       "body: `<h1>Results for ${he.encode($V)}</h1>` };#S#"],
      imp=['const he = require("he");'], fields=J_PAGE, ret=True, http=True, safe="he.encode"),
    T("PAL309", "json-body",
      ['return { statusCode: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ query: $V }) };#S#'],
      fields=J_PAGE, ret=True, http=True, safe="JSON response"),
    # PAL310
    T("PAL310", "location", ["return { statusCode: 302, headers: { Location: $V } };#S#"], fields=J_NEXT, ret=True,
      http=True),
    T("PAL310", "location-host", ["return { statusCode: 301, headers: { Location: `https://${$V}/welcome` } };#S#"],
      fields=("host", "domain"), ret=True, http=True),
    T("PAL310", "fixed-host",
      ["return { statusCode: 302, headers: { Location: `https://app.example.com/${encodeURIComponent($V)}` } };#S#"],
      fields=J_NEXT, ret=True, http=True, safe="fixed host"),
    T("PAL310", "allow-list",
      ['const target = ALLOWED_REDIRECTS.has($V) ? $V : "/";', "return { statusCode: 302, headers: { Location: target } };#S#"],
      setup=['const ALLOWED_REDIRECTS = new Set(["/", "/account", "/orders"]);'], fields=J_NEXT, ret=True, http=True,
      safe="allow-list"),
    T("PAL310", "constant-location",
      ['console.log("session expired for", $V);',
       'return { statusCode: 302, headers: { Location: "/login?reason=expired" } };#S#'],
      fields=J_NEXT, ret=True, http=True, safe="constant location"),
    # PAL312
    T("PAL312", "decode", ['const claims = jwt.decode($V.replace("Bearer ", ""));#S#'], want="auth",
      imp=['const jwt = require("jsonwebtoken");'], http=True),
    T("PAL312", "decode-complete", ['const decoded = jwt.decode($V.split(" ")[1], { complete: true });#S#'],
      want="auth", imp=['const jwt = require("jsonwebtoken");'], http=True),
    T("PAL312", "verify",
      ['const claims = jwt.verify($V.replace("Bearer ", ""), process.env.JWT_PUBLIC_KEY, { algorithms: ["RS256"] });#S#'],
      want="auth", imp=['const jwt = require("jsonwebtoken");'], http=True, safe="signature verified"),
    T("PAL312", "cognito-verifier", ['const claims = await verifier.verify($V.replace("Bearer ", ""));#S#'],
      want="auth", setup=['const { CognitoJwtVerifier } = require("aws-jwt-verify");',
                          "const verifier = CognitoJwtVerifier.create({ userPoolId: process.env.USER_POOL_ID, "
                          'tokenUse: "access", clientId: process.env.CLIENT_ID });'],
      http=True, safe="signature verified"),
    # PAL313
    T("PAL313", "log-stringified-event", ['console.log("Received event:", JSON.stringify($E, null, 2));#S#'],
      want="event"),
    T("PAL313", "log-event", ["console.log($E);#S#"], want="event"),
    T("PAL313", "log-auth-header", ['console.info("auth header", $E.headers.Authorization);#S#'], want="event",
      http=True),
    T("PAL313", "log-password", ["const password = $V;", 'console.log("login attempt", password);#S#'],
      fields=("password",), http=True),
    T("PAL313", "log-count", ['console.log("records", ($E.Records || []).length);#S#'], want="event",
      safe="a count"),
    T("PAL313", "log-field", ['console.log("lookup for", $V);#S#'], fields=J_ID, safe="an id"),
    T("PAL313", "log-keys", ['console.log("event keys", Object.keys($E));#S#'], want="event", safe="key names only"),
    # PAL314
    T("PAL314", "err-stack",
      ["try {", "  const order = JSON.parse($V);", "  return { statusCode: 200, body: JSON.stringify(order) };",
       "} catch (err) {", "  return { statusCode: 500, body: err.stack };#S#", "}"],
      want="doc", ret=True, http=True),
    T("PAL314", "stack-in-json",
      ["try {", "  const order = JSON.parse($V);", "  return { statusCode: 200, body: JSON.stringify(order) };",
       "} catch (err) {",
       "  return { statusCode: 500, body: JSON.stringify({ message: err.message, stack: err.stack }) };#S#", "}"],
      want="doc", ret=True, http=True),
    T("PAL314", "string-err",
      ["try {", "  const order = JSON.parse($V);", "  return { statusCode: 200, body: JSON.stringify(order) };",
       "} catch (err) {", "  return { statusCode: 500, body: String(err) };#S#", "}"],
      want="doc", ret=True, http=True),
    T("PAL314", "logged-generic",
      ["try {", "  const order = JSON.parse($V);", "  return { statusCode: 200, body: JSON.stringify(order) };",
       "} catch (err) {", '  console.error("order failed", err);',
       '  return { statusCode: 500, body: JSON.stringify({ message: "Internal error" }) };#S#', "}"],
      want="doc", ret=True, http=True, safe="generic message, error logged"),
]

JS_SOURCES = {
    "http": {
        "text": [
            ([], "event.queryStringParameters.@f@", "queryStringParameters"),
            ([], "event.pathParameters.@f@", "pathParameters"),
            (["const @p@ = JSON.parse(event.body);"], "@p@.@f@", "body"),
            ([], 'event.headers["x-@F@"]', "headers"),
            (["const { @f@: @p@ } = event.queryStringParameters || {};"], "@p@", "queryStringParameters"),
        ],
        "doc": [([], "event.body", "body")],
        "auth": [([], 'event.headers.authorization || ""', "headers.authorization")],
        "calm": [([], "event.requestContext.requestId", "requestContext.requestId"),
                 ([], "event.requestContext.stage", "requestContext.stage"),
                 ([], "event.stageVariables.@f@", "stageVariables")],
    },
    "s3": {
        "text": [([], 'decodeURIComponent(record.s3.object.key.replace(/\\+/g, " "))', "s3.object.key"),
                 ([], "record.s3.object.key", "s3.object.key")],
        "calm": [([], "record.eventTime", "eventTime"), ([], "record.awsRegion", "awsRegion"),
                 ([], "record.s3.object.eTag", "s3.object.eTag")],
    },
    "sqs": {
        "text": [(["const @p@ = JSON.parse(record.body);"], "@p@.@f@", "body"),
                 ([], "record.messageAttributes.@f@.stringValue", "messageAttributes")],
        "doc": [([], "record.body", "body")],
        "calm": [([], "record.messageId", "messageId"), ([], "record.attributes.SenderId", "attributes.SenderId"),
                 ([], "record.eventSourceARN", "eventSourceARN")],
    },
    "sns": {
        "text": [(["const @p@ = JSON.parse(record.Sns.Message);"], "@p@.@f@", "Sns.Message"),
                 ([], "record.Sns.Subject", "Sns.Subject")],
        "doc": [([], "record.Sns.Message", "Sns.Message")],
        "calm": [([], "record.Sns.TopicArn", "Sns.TopicArn"), ([], "record.Sns.MessageId", "Sns.MessageId"),
                 ([], "record.Sns.Timestamp", "Sns.Timestamp")],
    },
    "dynamodb": {
        "text": [([], "record.dynamodb.NewImage.@f@.S", "dynamodb.NewImage")],
        "calm": [([], "record.eventID", "eventID"), ([], "record.awsRegion", "awsRegion")],
    },
    "eventbridge": {
        "text": [([], "event.detail.@f@", "detail")],
        "doc": [([], "JSON.stringify(event.detail)", "detail")],
        "calm": [([], "event.account", "account"), ([], "event.region", "region"), ([], "event.time", "time")],
    },
    "schedule": {
        "text": [([], 'event.@f@ || "default"', "schedule input")],
        "doc": [([], 'event.payload || "{}"', "schedule input")],
    },
}
JS_ENV = ([], "process.env.@F@", "environment")


def secret_values(rng):
    """Fresh random secrets of the formats the rules know, and look-alikes of them."""
    up = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    mixed = alnum + "#%&*!-_"

    def pick(alphabet, n):
        return "".join(rng.choice(alphabet) for _ in range(n))

    while True:
        generic = pick(mixed, 18)
        if len(set(generic)) >= 14:
            break
    return {
        "aws-key-id": "AKIA" + pick(up, 16),
        "aws-secret": pick(b64, 40),
        "stripe": "sk_" + "live_" + pick(alnum, 28),
        "github": "ghp_" + pick(alnum, 36),
        "slack-webhook": "https://hooks.slack.com/services/T" + pick(up, 8) + "/B" + pick(up, 8) + "/" + pick(alnum, 24),
        "generic": generic,
    }


# (name, python line, javascript line, safe reason or None); {v} is filled with a fresh value.
SECRETS = [
    ("aws-access-key-id", 'AWS_ACCESS_KEY_ID = "{aws-key-id}"', 'const AWS_ACCESS_KEY_ID = "{aws-key-id}";', None),
    ("stripe-live-key", 'STRIPE_API_KEY = "{stripe}"', 'const STRIPE_API_KEY = "{stripe}";', None),
    ("github-token", 'GITHUB_TOKEN = "{github}"', 'const GITHUB_TOKEN = "{github}";', None),
    ("slack-webhook", 'SLACK_WEBHOOK_URL = "{slack-webhook}"', 'const SLACK_WEBHOOK_URL = "{slack-webhook}";', None),
    ("generic-password", 'DB_PASSWORD = "{generic}"', 'const dbPassword = "{generic}";', None),
    ("env-lookup", 'DB_PASSWORD = os.environ["DB_PASSWORD"]', "const dbPassword = process.env.DB_PASSWORD;",
     "read from the environment"),
    ("placeholder", 'API_TOKEN = "<your-token-here>"', 'const apiToken = "<your-token-here>";', "placeholder"),
    ("documented-example", 'EXAMPLE_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"',
     'const EXAMPLE_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";', "AWS documentation example"),
    ("pagination-token-name", 'NEXT_TOKEN_KEY = "NextToken"', 'const NEXT_TOKEN_KEY = "NextToken";',
     "a field name, not a secret"),
    ("password-field-name", 'PASSWORD_FIELD = "password"', 'const PASSWORD_FIELD = "password";',
     "a field name, not a secret"),
]
