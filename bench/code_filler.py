"""Ordinary Lambda code for bench/gen_code.py: the bulk of every function, with no flaw in it.

Each template is one function (or class) of the kind that fills real handlers: DynamoDB reads
and writes with pagination, S3 exports, SQS batches, SNS and EventBridge notices, Step Functions
starts, validation, money arithmetic, dataclasses, repositories, retries. `@ent@` is an entity
name (`order`), `@Ent@` and `@ENT@` its other spellings, `@f1@`..`@f3@` field names, `@n@` and
`@ttl@` numbers. Templates marked public take `(item_id, attrs)`, so a handler can call any of
them with data from its event.
"""

ENTITIES = ["order", "invoice", "customer", "shipment", "ticket", "product", "payment", "report", "booking",
            "subscription", "device", "coupon", "refund", "review", "account", "session", "upload", "campaign",
            "vendor", "warehouse"]
PY_FIELDS = ["owner", "region", "amount", "quantity", "priority", "channel", "currency", "category", "label",
             "country", "status_code", "score", "weight", "duration", "segment", "tier"]
JS_FIELDS = ["owner", "region", "amount", "quantity", "priority", "channel", "currency", "category", "label",
             "country", "statusCode", "score", "weight", "duration", "segment", "tier"]

PY_HEADER = '''"""@doc@"""

import json
import logging
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

dynamodb = boto3.resource("dynamodb")
s3 = boto3.client("s3")
sqs = boto3.client("sqs")
sns = boto3.client("sns")
events = boto3.client("events")
sfn = boto3.client("stepfunctions")
ssm = boto3.client("ssm")

RETRYABLE = {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}


def _table():
    return dynamodb.Table(os.environ["TABLE_NAME"])


def _clean(item):
    """Drop the key attributes and turn Decimals into numbers."""
    out = {}
    for key, value in item.items():
        if key in ("pk", "sk"):
            continue
        out[key] = float(value) if isinstance(value, Decimal) else value
    return out
'''

# (name prefix, public, text)
PY_FILLER = [
    ("save_@ent@", True, '''
def save_@ent@(item_id, attrs):
    """Store one @ent@ with an audit timestamp; returns the stored item."""
    now = datetime.now(timezone.utc)
    item = {
        "pk": f"@ENT@#{item_id}",
        "sk": "META",
        "@f1@": attrs.get("@f1@"),
        "@f2@": attrs.get("@f2@", @n@),
        "status": attrs.get("status", "new"),
        "updatedAt": now.isoformat(),
        "expiresAt": int(now.timestamp()) + @ttl@,
    }
    _table().put_item(Item=item)
    logger.debug("stored @ent@ %s", item_id)
    return item
'''),
    ("load_@ent@", True, '''
def load_@ent@(item_id, attrs=None):
    """Read one @ent@; None when it does not exist."""
    response = _table().get_item(Key={"pk": f"@ENT@#{item_id}", "sk": "META"}, ConsistentRead=bool(attrs))
    item = response.get("Item")
    if item is None:
        logger.info("@ent@ %s not found", item_id)
        return None
    return _clean(item)
'''),
    ("list_@ent@s", True, '''
def list_@ent@s(item_id, attrs):
    """Every @ent@ of a partition, following the pagination keys."""
    items = []
    kwargs = {
        "KeyConditionExpression": Key("pk").eq(f"@ENT@#{item_id}"),
        "Limit": @n@,
    }
    while True:
        page = _table().query(**kwargs)
        items.extend(_clean(i) for i in page.get("Items", []))
        last = page.get("LastEvaluatedKey")
        if not last or len(items) >= attrs.get("max", 500):
            break
        kwargs["ExclusiveStartKey"] = last
    return items
'''),
    ("export_@ent@", True, '''
def export_@ent@(item_id, attrs):
    """Write a JSON snapshot of one @ent@ to the exports bucket."""
    body = json.dumps({"id": item_id, "@f1@": attrs.get("@f1@"), "exportedAt": time.time()}, default=str)
    key = f"exports/@ent@/{datetime.now(timezone.utc):%Y/%m/%d}/{uuid.uuid4()}.json"
    s3.put_object(Bucket=os.environ["EXPORT_BUCKET"], Key=key, Body=body.encode(), ContentType="application/json")
    return {"bucket": os.environ["EXPORT_BUCKET"], "key": key}
'''),
    ("enqueue_@ent@_updates", True, '''
def enqueue_@ent@_updates(item_id, attrs):
    """Send one message per changed field, in batches of ten."""
    entries = [
        {"Id": str(i), "MessageBody": json.dumps({"id": item_id, "field": k, "value": v}, default=str)}
        for i, (k, v) in enumerate(sorted(attrs.items()))
    ]
    failed = []
    for start in range(0, len(entries), 10):
        batch = entries[start:start + 10]
        result = sqs.send_message_batch(QueueUrl=os.environ["QUEUE_URL"], Entries=batch)
        failed.extend(f["Id"] for f in result.get("Failed", []))
    if failed:
        logger.warning("%d @ent@ updates were not queued", len(failed))
    return failed
'''),
    ("notify_@ent@_changed", True, '''
def notify_@ent@_changed(item_id, attrs):
    """Publish a change notice for subscribers."""
    message = {
        "type": "@ent@.changed",
        "id": item_id,
        "changes": sorted(attrs),
        "at": datetime.now(timezone.utc).isoformat(),
    }
    sns.publish(
        TopicArn=os.environ["TOPIC_ARN"],
        Subject="@Ent@ changed",
        Message=json.dumps(message),
        MessageAttributes={"type": {"DataType": "String", "StringValue": "@ent@.changed"}},
    )
    return message["id"]
'''),
    ("validate_@ent@", True, '''
REQUIRED_@ENT@_FIELDS = ("@f1@", "@f2@", "@f3@")


def validate_@ent@(item_id, attrs):
    """Check the fields an @ent@ needs; returns the list of problems."""
    problems = []
    for name in REQUIRED_@ENT@_FIELDS:
        if name not in attrs or attrs[name] in (None, ""):
            problems.append(f"{name} is required")
    if len(str(item_id)) > @n@:
        problems.append("id is too long")
    if "@f2@" in attrs and not isinstance(attrs["@f2@"], (int, float)):
        problems.append("@f2@ must be a number")
    return problems
'''),
    ("total_@ent@", True, '''
def total_@ent@(item_id, attrs):
    """Sum line amounts with tax, rounded half up to cents."""
    lines = attrs.get("lines", [])
    subtotal = sum(Decimal(str(line.get("amount", 0))) * line.get("qty", 1) for line in lines)
    rate = Decimal(str(attrs.get("taxRate", "0.@n@")))
    tax = (subtotal * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"id": item_id, "subtotal": str(subtotal), "tax": str(tax), "total": str(subtotal + tax)}
'''),
    ("@Ent@Record", False, '''
@dataclass
class @Ent@Record:
    """A @ent@ as the API returns it."""

    id: str
    @f1@: str = ""
    @f2@: int = 0
    tags: list = field(default_factory=list)

    @classmethod
    def from_item(cls, item):
        return cls(
            id=item["pk"].split("#", 1)[-1],
            @f1@=item.get("@f1@", ""),
            @f2@=int(item.get("@f2@", 0)),
            tags=list(item.get("tags", [])),
        )

    def to_dict(self):
        return {"id": self.id, "@f1@": self.@f1@, "@f2@": self.@f2@, "tags": self.tags}
'''),
    ("with_@ent@_retries", False, '''
def with_@ent@_retries(operation, attempts=@k@):
    """Call operation, retrying throttling errors with jittered backoff."""
    for attempt in range(attempts):
        try:
            return operation()
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            if code not in RETRYABLE or attempt == attempts - 1:
                raise
            time.sleep(min(2 ** attempt * 0.1, 2.0) + random.uniform(0, 0.1))
    return None
'''),
    ("_@ent@_settings", False, '''
@lru_cache(maxsize=1)
def _@ent@_settings():
    """Settings of the @ent@ service, read once per container."""
    stage = os.environ.get("STAGE", "dev")
    response = ssm.get_parameters_by_path(Path=f"/{stage}/@ent@/", WithDecryption=True)
    return {p["Name"].rsplit("/", 1)[-1]: p["Value"] for p in response.get("Parameters", [])}
'''),
    ("publish_@ent@_event", True, '''
def publish_@ent@_event(item_id, attrs):
    """Put a domain event on the bus."""
    entry = {
        "Source": "app.@ent@",
        "DetailType": "@Ent@Updated",
        "Detail": json.dumps({"id": item_id, "attrs": attrs}, default=str),
        "EventBusName": os.environ.get("BUS_NAME", "default"),
    }
    result = events.put_events(Entries=[entry])
    if result.get("FailedEntryCount"):
        raise RuntimeError(f"event for @ent@ {item_id} was rejected")
    return result["Entries"][0].get("EventId")
'''),
    ("summarise_@ent@s", True, '''
def summarise_@ent@s(item_id, attrs):
    """Counts and amounts per @f1@ for a dashboard."""
    groups = {}
    for row in attrs.get("rows", []):
        group = row.get("@f1@") or "unknown"
        bucket = groups.setdefault(group, {"count": 0, "amount": 0.0})
        bucket["count"] += 1
        bucket["amount"] += float(row.get("amount", 0))
    ordered = sorted(groups.items(), key=lambda kv: kv[1]["amount"], reverse=True)
    return [{"@f1@": k, "owner": item_id, **v} for k, v in ordered[:@n@]]
'''),
    ("start_@ent@_workflow", True, '''
def start_@ent@_workflow(item_id, attrs):
    """Start the @ent@ workflow once per id (the execution name makes it idempotent)."""
    name = f"@ent@-{item_id}-{attrs.get('version', 1)}"[:80]
    try:
        result = sfn.start_execution(
            stateMachineArn=os.environ["STATE_MACHINE_ARN"], name=name, input=json.dumps(attrs, default=str)
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        logger.info("workflow %s already started", name)
        return None
    return result["executionArn"]
'''),
    ("@Ent@Repository", False, '''
class @Ent@Repository:
    """Reads and writes @ent@s in one table."""

    def __init__(self, table_name):
        self.table = dynamodb.Table(table_name)

    def get(self, item_id):
        return self.table.get_item(Key={"pk": f"@ENT@#{item_id}", "sk": "META"}).get("Item")

    def put(self, item_id, attrs):
        self.table.put_item(Item={"pk": f"@ENT@#{item_id}", "sk": "META", **attrs})
        return item_id

    def delete(self, item_id):
        self.table.delete_item(Key={"pk": f"@ENT@#{item_id}", "sk": "META"})
'''),
]

JS_HEADER = '''"use strict";
// @doc@

const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, DeleteCommand } = require("@aws-sdk/lib-dynamodb");
const { S3Client, PutObjectCommand } = require("@aws-sdk/client-s3");
const { SQSClient, SendMessageBatchCommand } = require("@aws-sdk/client-sqs");
const { SNSClient, PublishCommand } = require("@aws-sdk/client-sns");
const { EventBridgeClient, PutEventsCommand } = require("@aws-sdk/client-eventbridge");
const { SFNClient, StartExecutionCommand } = require("@aws-sdk/client-sfn");
const { randomUUID } = require("crypto");

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const s3 = new S3Client({});
const sqs = new SQSClient({});
const sns = new SNSClient({});
const bus = new EventBridgeClient({});
const sfn = new SFNClient({});

const TABLE_NAME = process.env.TABLE_NAME;
const RETRYABLE = new Set(["ThrottlingException", "ProvisionedThroughputExceededException"]);

function clean(item) {
  const out = {};
  for (const [key, value] of Object.entries(item || {})) {
    if (key === "pk" || key === "sk") continue;
    out[key] = value;
  }
  return out;
}
'''

JS_FILLER = [
    ("save@Ent@", True, '''
/** Store one @ent@ with an audit timestamp; returns the stored item. */
async function save@Ent@(itemId, attrs) {
  const now = new Date();
  const item = {
    pk: `@ENT@#${itemId}`,
    sk: "META",
    @f1@: attrs.@f1@ ?? null,
    @f2@: attrs.@f2@ ?? @n@,
    status: attrs.status || "new",
    updatedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + @ttl@,
  };
  await ddb.send(new PutCommand({ TableName: TABLE_NAME, Item: item }));
  return item;
}
'''),
    ("load@Ent@", True, '''
/** Read one @ent@; null when it does not exist. */
async function load@Ent@(itemId, attrs = {}) {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: TABLE_NAME, Key: { pk: `@ENT@#${itemId}`, sk: "META" }, ConsistentRead: Boolean(attrs.consistent) }),
  );
  if (!Item) {
    console.info("@ent@ not found", itemId);
    return null;
  }
  return clean(Item);
}
'''),
    ("list@Ent@s", True, '''
/** Every @ent@ of a partition, following the pagination keys. */
async function list@Ent@s(itemId, attrs = {}) {
  const items = [];
  let startKey;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `@ENT@#${itemId}` },
        ExclusiveStartKey: startKey,
        Limit: @n@,
      }),
    );
    items.push(...(page.Items || []).map(clean));
    startKey = page.LastEvaluatedKey;
  } while (startKey && items.length < (attrs.max || 500));
  return items;
}
'''),
    ("export@Ent@", True, '''
/** Write a JSON snapshot of one @ent@ to the exports bucket. */
async function export@Ent@(itemId, attrs = {}) {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
  const key = `exports/@ent@/${day}/${randomUUID()}.json`;
  const body = JSON.stringify({ id: itemId, @f1@: attrs.@f1@, exportedAt: Date.now() });
  await s3.send(new PutObjectCommand({ Bucket: process.env.EXPORT_BUCKET, Key: key, Body: body, ContentType: "application/json" }));
  return { bucket: process.env.EXPORT_BUCKET, key };
}
'''),
    ("enqueue@Ent@Updates", True, '''
/** Send one message per changed field, in batches of ten. */
async function enqueue@Ent@Updates(itemId, attrs = {}) {
  const entries = Object.entries(attrs)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value], i) => ({ Id: String(i), MessageBody: JSON.stringify({ id: itemId, name, value }) }));
  const failed = [];
  for (let start = 0; start < entries.length; start += 10) {
    const result = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: process.env.QUEUE_URL, Entries: entries.slice(start, start + 10) }),
    );
    failed.push(...(result.Failed || []).map((f) => f.Id));
  }
  if (failed.length) console.warn("@ent@ updates not queued", failed.length);
  return failed;
}
'''),
    ("notify@Ent@Changed", True, '''
/** Publish a change notice for subscribers. */
async function notify@Ent@Changed(itemId, attrs = {}) {
  const message = {
    type: "@ent@.changed",
    id: itemId,
    changes: Object.keys(attrs).sort(),
    at: new Date().toISOString(),
  };
  await sns.send(
    new PublishCommand({
      TopicArn: process.env.TOPIC_ARN,
      Subject: "@Ent@ changed",
      Message: JSON.stringify(message),
      MessageAttributes: { type: { DataType: "String", StringValue: "@ent@.changed" } },
    }),
  );
  return message.id;
}
'''),
    ("validate@Ent@", True, '''
const REQUIRED_@ENT@_FIELDS = ["@f1@", "@f2@", "@f3@"];

/** Check the fields an @ent@ needs; returns the list of problems. */
function validate@Ent@(itemId, attrs = {}) {
  const problems = [];
  for (const name of REQUIRED_@ENT@_FIELDS) {
    if (attrs[name] === undefined || attrs[name] === null || attrs[name] === "") {
      problems.push(`${name} is required`);
    }
  }
  if (String(itemId).length > @n@) problems.push("id is too long");
  if ("@f2@" in attrs && typeof attrs.@f2@ !== "number") problems.push("@f2@ must be a number");
  return problems;
}
'''),
    ("total@Ent@", True, '''
/** Sum line amounts with tax, in integer cents. */
function total@Ent@(itemId, attrs = {}) {
  const lines = attrs.lines || [];
  const subtotal = lines.reduce((sum, line) => sum + Math.round(Number(line.amount || 0) * 100) * (line.qty || 1), 0);
  const rate = Number(attrs.taxRate ?? 0.@n@);
  const tax = Math.round(subtotal * rate);
  return { id: itemId, subtotal: subtotal / 100, tax: tax / 100, total: (subtotal + tax) / 100 };
}
'''),
    ("@Ent@Repository", False, '''
/** Reads and writes @ent@s in one table. */
class @Ent@Repository {
  constructor(tableName = TABLE_NAME) {
    this.tableName = tableName;
  }

  async get(itemId) {
    const { Item } = await ddb.send(new GetCommand({ TableName: this.tableName, Key: { pk: `@ENT@#${itemId}`, sk: "META" } }));
    return Item || null;
  }

  async put(itemId, attrs) {
    await ddb.send(new PutCommand({ TableName: this.tableName, Item: { pk: `@ENT@#${itemId}`, sk: "META", ...attrs } }));
    return itemId;
  }

  async remove(itemId) {
    await ddb.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `@ENT@#${itemId}`, sk: "META" } }));
  }
}
'''),
    ("with@Ent@Retries", False, '''
/** Call operation, retrying throttling errors with jittered backoff. */
async function with@Ent@Retries(operation, attempts = @k@) {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      return await operation();
    } catch (err) {
      if (!RETRYABLE.has(err.name) || attempt === attempts - 1) throw err;
      const delay = Math.min(2 ** attempt * 100, 2000) + Math.floor(Math.random() * 100);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return null;
}
'''),
    ("publish@Ent@Event", True, '''
/** Put a domain event on the bus. */
async function publish@Ent@Event(itemId, attrs = {}) {
  const entry = {
    Source: "app.@ent@",
    DetailType: "@Ent@Updated",
    Detail: JSON.stringify({ id: itemId, attrs }),
    EventBusName: process.env.BUS_NAME || "default",
  };
  const result = await bus.send(new PutEventsCommand({ Entries: [entry] }));
  if (result.FailedEntryCount) throw new Error(`event for @ent@ ${itemId} was rejected`);
  return result.Entries[0].EventId;
}
'''),
    ("summarise@Ent@s", True, '''
/** Counts and amounts per @f1@ for a dashboard. */
function summarise@Ent@s(itemId, attrs = {}) {
  const groups = new Map();
  for (const row of attrs.rows || []) {
    const group = row.@f1@ || "unknown";
    const bucket = groups.get(group) || { count: 0, amount: 0 };
    bucket.count += 1;
    bucket.amount += Number(row.amount || 0);
    groups.set(group, bucket);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].amount - a[1].amount)
    .slice(0, @n@)
    .map(([group, v]) => ({ @f1@: group, owner: itemId, ...v }));
}
'''),
    ("start@Ent@Workflow", True, '''
/** Start the @ent@ workflow once per id (the execution name makes it idempotent). */
async function start@Ent@Workflow(itemId, attrs = {}) {
  const name = `@ent@-${itemId}-${attrs.version || 1}`.slice(0, 80);
  try {
    const result = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: process.env.STATE_MACHINE_ARN, name, input: JSON.stringify(attrs) }),
    );
    return result.executionArn;
  } catch (err) {
    if (err.name === "ExecutionAlreadyExists") {
      console.info("workflow already started", name);
      return null;
    }
    throw err;
  }
}
'''),
]


def fill(text, rng, ent, fields):
    f1, f2, f3 = rng.sample(fields, 3)
    out = text
    for k, v in (("@Ent@", ent[0].upper() + ent[1:]), ("@ENT@", ent.upper()), ("@ent@", ent), ("@f1@", f1),
                 ("@f2@", f2), ("@f3@", f3), ("@n@", str(rng.randint(10, 99))), ("@ttl@", str(rng.choice([3600, 86400, 604800]))),
                 ("@k@", str(rng.randint(3, 6)))):
        out = out.replace(k, v)
    return out


def filler_functions(rng, lang, budget, taken):
    """Filler functions of about `budget` lines: [(public name or None, lines)]. `taken` holds names
    already defined in the module."""
    pool = PY_FILLER if lang == "python" else JS_FILLER
    fields = PY_FIELDS if lang == "python" else JS_FIELDS
    out = []
    used = 0
    tries = 0
    while used < budget and tries < 200:
        tries += 1
        name_t, public, text = rng.choice(pool)
        ent = rng.choice(ENTITIES)
        name = name_t.replace("@Ent@", ent[0].upper() + ent[1:]).replace("@ent@", ent)
        if name in taken:
            continue
        taken.add(name)
        body = fill(text, rng, ent, fields)
        lines = body.strip("\n").split("\n")
        out.append((name if public else None, lines))
        used += len(lines) + 2
    return out


def split_header(text):
    """A module header as (import lines, the rest): seeded code adds its own imports between."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(("logger = ", "const ddb = ")):
            return lines[:i], lines[i:]
    return lines, []
