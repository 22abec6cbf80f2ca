// Calls one action with @alicloud/pop-core and prints {ok, body} or {ok:false, code, status}.
// Usage: node call.js ENDPOINT AK SK VERSION ACTION PARAMS_JSON METHOD
const RPCClient = require('@alicloud/pop-core');

const [endpoint, accessKeyId, accessKeySecret, apiVersion, action, params, method] = process.argv.slice(2);
const client = new RPCClient({ accessKeyId, accessKeySecret, endpoint, apiVersion });

client.request(action, JSON.parse(params), { method, timeout: 30000 })
  .then((body) => console.log(JSON.stringify({ ok: true, body })))
  .catch((err) => console.log(JSON.stringify({
    ok: false,
    code: err.code || err.name,
    status: err.entry && err.entry.response ? err.entry.response.statusCode : 0,
    message: err.message,
  })));
