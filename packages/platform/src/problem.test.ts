import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { addRoute, createRouter, installFallbacks } from './http.ts';
import { problem } from './problem.ts';
import { ProblemSchema } from './schemas.ts';

// Every problem says what went wrong in `detail` (a client showing one field shows it all);
// `title` is the same for every answer with the code.

const app = createRouter();
addRoute(
  app,
  createRoute({
    method: 'post',
    path: '/things',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ name: z.string().min(1) }) } },
      },
    },
    responses: { 200: { description: 'ok' } },
  }),
  async (c) => c.json(c.req.valid('json')),
);
app.get('/refused', (c) => problem(c, 409, 'voting-closed', 'Voting closed at 18:00'));
installFallbacks(app);

const post = (body: string, contentType = 'application/json') =>
  app.request('/things', { method: 'POST', headers: { 'content-type': contentType }, body });

describe('problem details', () => {
  it('puts the message in detail, and the title is the summary of its code', async () => {
    const body = await (await app.request('/refused')).json();
    expect(ProblemSchema.parse(body)).toEqual({
      type: 'https://yishi.example/problems/voting-closed',
      title: 'Voting closed',
      status: 409,
      code: 'voting-closed',
      detail: 'Voting closed at 18:00',
      instance: '/refused',
    });
  });

  it('names each invalid field in detail as well as in errors', async () => {
    const res = await post('{"name":""}');
    expect(res.status).toBe(400);
    const body = ProblemSchema.parse(await res.json());
    expect(body.errors).toEqual([{ field: 'body.name', message: expect.any(String) }]);
    expect(body.detail).toBe(`The request is not valid (body.name: ${body.errors![0]!.message})`);
  });

  it('answers a body of another media type 415 unsupported-media-type', async () => {
    const res = await post('{"name":"x"}', 'text/plain');
    expect(res.status).toBe(415);
    expect(ProblemSchema.parse(await res.json())).toMatchObject({
      code: 'unsupported-media-type',
      detail: 'The body must be sent with content-type: application/json',
    });
  });

  it('answers malformed JSON 400 invalid-json, with a detail', async () => {
    const res = await post('{"name":');
    expect(res.status).toBe(400);
    expect(ProblemSchema.parse(await res.json())).toMatchObject({ code: 'invalid-json' });
  });
});
