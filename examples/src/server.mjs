// The HTTP API: list and create orders. Plain node:http, so the example has no framework.
import { createServer } from 'node:http';
import { Order } from './db.mjs';

/** Starts the API on a free port; resolves with the listening server. */
export async function startServer(dataSource) {
  const orders = dataSource.getRepository(Order);
  const server = createServer(async (request, response) => {
    try {
      if (request.method === 'GET' && request.url === '/orders') return send(response, 200, await orders.find({ order: { id: 'ASC' } }));
      if (request.method === 'POST' && request.url === '/orders') {
        const { customer, total } = JSON.parse(await readBody(request));
        if (typeof customer !== 'string' || !Number.isInteger(total)) return send(response, 400, { error: 'customer and total are required' });
        return send(response, 201, await orders.save({ customer, total }));
      }
      send(response, 404, { error: 'not found' });
    } catch (error) {
      send(response, 500, { error: String(error) });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function readBody(request) {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body || '{}';
}

function send(response, status, payload) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}
