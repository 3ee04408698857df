// A tiny HTTP client for the tests. `agent: false` with `connection: close`: no keep-alive
// socket outlives the request (a pooled socket would rightly show up as a leak).
import { request as httpRequest } from 'node:http';

export function request(server, method, path, body) {
  const { port } = server.address();
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers: { connection: 'close', 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
