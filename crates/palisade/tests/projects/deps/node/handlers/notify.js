const _ = require("lodash");

exports.handler = async (event) => _.size(event.Records);
