// Queue worker: validates each job before acting on it.
const ALLOWED = new Set(["resize", "archive"]);

exports.handler = async (event) => {
  for (const record of event.Records) {
    const job = JSON.parse(record.body);
    if (!ALLOWED.has(job.kind) || typeof job.orderId !== "string") {
      throw new Error("invalid job");
    }
  }
  return {};
};
