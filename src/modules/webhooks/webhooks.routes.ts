/** /v1/webhooks: admins subscribe URLs to events, rotate their secrets, ping them and read their deliveries. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { locationOf, problems, TOKEN_REQUIRED } from '../../lib/openapi.js'
import { setPaginationHeaders } from '../../lib/pagination.js'
import { IdParamsSchema, NoContentSchema } from '../../lib/schemas.js'
import { assertIfMatch } from '../../plugins/caching.js'
import {
  CreateWebhookBodySchema,
  DeliveryPageSchema,
  DeliveryParamsSchema,
  DeliverySchema,
  ListDeliveriesQuerySchema,
  UpdateWebhookBodySchema,
  WebhookListSchema,
  WebhookSchema,
  WebhookWithSecretSchema,
} from './webhooks.schemas.js'

const VERIFYING = [
  'Each delivery is a POST of `{ "type", "timestamp", "data": { "id", "slug", … } }` signed as the',
  '[Standard Webhooks](https://www.standardwebhooks.com) specification says: headers `webhook-id` (the same on',
  'every retry), `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>`; two, space-separated,',
  'for 24 h after a rotation). A receiver verifies it with the reference library, on the raw body:',
  '',
  '```js',
  "import { Webhook } from 'standardwebhooks'",
  'const wh = new Webhook(process.env.SAHIFA_WEBHOOK_SECRET) // the whsec_… shown once here',
  "app.post('/sahifa', express.raw({ type: 'application/json' }), (req, res) => {",
  '  const event = wh.verify(req.body, req.headers) // throws when the signature or time is wrong',
  '  res.sendStatus(204) // any 2xx; retried on anything else, disabled on 410',
  '})',
  '```',
].join('\n')

const DISABLED = 'A disabled webhook answers 409.'

const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const { webhooks } = app.services
  app.addHook('onRequest', app.requireRole('admin'))

  /** POST /v1/webhooks */
  app.post(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'createWebhook',
        summary: 'Subscribe a URL to events (admin)',
        description:
          'The answer holds the signing `secret`, shown this once (stored encrypted with `SECRET_KEY`; without it ' +
          'the answer is a 409). The URL must be https and must not point to a loopback, private, link-local or ' +
          'metadata address (checked again on every delivery), unless the server runs with ' +
          '`WEBHOOKS_ALLOW_PRIVATE=true`.\n\n' +
          VERIFYING,
        security: TOKEN_REQUIRED,
        body: CreateWebhookBodySchema,
        response: { 201: WebhookWithSecretSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const webhook = await webhooks.create(request.body)
      reply.code(201).header('location', locationOf('webhooks', webhook.id))
      return webhook
    },
  )

  /** GET /v1/webhooks */
  app.get(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhooks',
        summary: 'List webhooks, without their secrets (admin)',
        description: 'Oldest first. Secrets are never shown again: rotate one to get a new one.',
        security: TOKEN_REQUIRED,
        response: { 200: WebhookListSchema, ...problems(401, 403) },
      },
    },
    async () => ({ data: await webhooks.list() }),
  )

  /** GET /v1/webhooks/:id */
  app.get(
    '/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'getWebhook',
        summary: 'Get one webhook, without its secret (admin)',
        description: 'Its URL, events and state; `disabledReason` says why the server disabled it.',
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        response: { 200: WebhookSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => webhooks.get(request.params.id),
  )

  /** PATCH /v1/webhooks/:id */
  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'updateWebhook',
        summary: 'Change a webhook (admin)',
        description:
          'Changes the fields given; `enabled: true` turns a webhook the server disabled back on. Honours ' +
          '`If-Match`. Deliveries already queued keep the event they were made for.',
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        body: UpdateWebhookBodySchema,
        response: { 200: WebhookSchema, ...problems(400, 401, 403, 404, 412) },
      },
    },
    async (request) =>
      webhooks.update(request.params.id, request.body, (current) =>
        assertIfMatch(request, WebhookSchema, current),
      ),
  )

  /** DELETE /v1/webhooks/:id */
  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook and its deliveries (admin)',
        description: 'Nothing more is sent to it, not even deliveries still queued.',
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        response: { 204: NoContentSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.params.id)
      return reply.code(204).send()
    },
  )

  /** POST /v1/webhooks/:id/rotate-secret */
  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'rotateWebhookSecret',
        summary: 'Give a webhook a new signing secret (admin)',
        description:
          'The new `secret` is shown this once. For 24 hours (`previousSecretExpiresAt`) every delivery carries ' +
          'two signatures, one per secret, so the receiver can switch secrets without losing a delivery.',
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        response: { 200: WebhookWithSecretSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => webhooks.rotateSecret(request.params.id),
  )

  /** POST /v1/webhooks/:id/ping */
  app.post(
    '/webhooks/:id/ping',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'pingWebhook',
        summary: 'Send a webhook.ping event to this webhook (admin)',
        description: `Queues the delivery and answers 202 with it; follow it in the deliveries. ${DISABLED}`,
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        response: { 202: DeliverySchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      reply.code(202)
      return webhooks.ping(request.params.id)
    },
  )

  /** GET /v1/webhooks/:id/deliveries */
  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhookDeliveries',
        summary: 'List a webhook’s deliveries, newest first (admin)',
        description:
          'Each with its status, attempts, the next attempt’s time and every attempt’s status code, duration and ' +
          'first 1 KB of answer. Continue with `cursor` = `meta.nextCursor`.',
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        querystring: ListDeliveriesQuerySchema,
        response: { 200: DeliveryPageSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const page = await webhooks.deliveries(request.params.id, request.query)
      setPaginationHeaders(request, reply, page.meta)
      return page
    },
  )

  /** POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver */
  app.post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'redeliverWebhookDelivery',
        summary: 'Send a delivery’s event again (admin)',
        description:
          'Queues a new delivery of the same event, with the same `webhook-id`, and answers 202 with it. ' +
          DISABLED,
        security: TOKEN_REQUIRED,
        params: DeliveryParamsSchema,
        response: { 202: DeliverySchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      reply.code(202)
      return webhooks.redeliver(request.params.id, request.params.deliveryId)
    },
  )
}

export default webhookRoutes
