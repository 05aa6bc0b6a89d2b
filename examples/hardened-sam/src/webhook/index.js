// Payment provider webhook: verifies the provider's signature before trusting the payload.
const crypto = require("crypto");
const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");
const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");

const secrets = new SecretsManagerClient({});
const sqs = new SQSClient({});

exports.handler = async (event) => {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.WEBHOOK_SECRET_ARN }));
  const expected = crypto.createHmac("sha256", SecretString).update(event.body || "").digest("hex");
  const given = (event.headers && event.headers["x-signature"]) || "";
  if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    return { statusCode: 401, body: "bad signature" };
  }
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.JOBS_QUEUE_URL, MessageBody: event.body }));
  return { statusCode: 202, body: "accepted" };
};
