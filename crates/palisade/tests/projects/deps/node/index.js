const _ = require("lodash");

exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(_.pick(event, ["id"])) });
