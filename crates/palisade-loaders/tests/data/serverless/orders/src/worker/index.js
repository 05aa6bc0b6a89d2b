// Queue worker (deliberately vulnerable example code).
exports.handler = async (event) => {
  for (const record of event.Records) {
    const job = JSON.parse(record.body);
    // Evaluating a field of the message: code injection.
    eval(job.transform);
  }
  return {};
};
