// The ceiling: a bare Fastify server with one POST route that validates a small JSON body against a schema and
// answers 201. Env: PORT.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post(
  '/v1/items',
  {
    schema: {
      body: {
        type: 'object',
        required: ['email'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', format: 'email', maxLength: 320 },
          redirect_url: { type: 'string', format: 'uri', maxLength: 2048 },
        },
      },
    },
  },
  async (request, reply) => reply.code(201).send({ ok: true, email: request.body.email }),
);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write(`listening on ${process.env.PORT}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
