// Payment provider webhook (deliberately vulnerable example code).
const { exec } = require("child_process");

exports.handler = async (event) => {
  const body = JSON.parse(event.body || "{}");
  // No signature check, and the payload reaches a shell.
  exec(`echo ${body.reference} >> /tmp/payments.log`);
  return { statusCode: 200, body: "ok" };
};
