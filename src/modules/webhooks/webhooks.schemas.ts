/** Webhooks as admins see them (never the secret, except once when it is made), their deliveries, and inputs. */
import { z } from 'zod'
import { PageMetaSchema, PageQuerySchema } from '../../lib/pagination.js'
import { IdSchema, TimestampSchema } from '../../lib/schemas.js'
import { EVENT_TYPES } from './webhooks.events.js'

export const EventTypeSchema = z.enum(EVENT_TYPES).meta({ id: 'WebhookEventType' })

export const WebhookSchema = z
  .object({
    id: z.number().int().meta({ example: 1 }),
    url: z.string().meta({ example: 'https://hooks.example.com/sahifa' }),
    description: z.string().meta({ example: 'Purge the CDN' }),
    events: z.array(EventTypeSchema).meta({ example: ['article.published', 'article.updated'] }),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().meta({
      description: 'Why the server disabled it (the receiver answered 410); null otherwise.',
      example: null,
    }),
    previousSecretExpiresAt: TimestampSchema.nullable().meta({
      description: 'After a rotation: until when deliveries are also signed with the previous secret.',
      example: null,
    }),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .meta({ id: 'Webhook' })

export type Webhook = z.infer<typeof WebhookSchema>

export const WebhookWithSecretSchema = WebhookSchema.extend({
  secret: z.string().meta({
    description:
      'The signing secret, shown this once (stored encrypted). Give it to the receiver’s Standard Webhooks library.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw+5z6iSbJeuA=',
  }),
}).meta({ id: 'WebhookWithSecret' })

export const WebhookListSchema = z.object({ data: z.array(WebhookSchema) }).meta({ id: 'WebhookList' })

const urlField = z.string({ message: 'Expected a URL' }).max(2000, 'At most 2000 characters').meta({
  description: 'Where deliveries are POSTed: https, and not a private address.',
  example: 'https://hooks.example.com/sahifa',
})

const eventsField = z
  .array(EventTypeSchema)
  .min(1, 'At least one event')
  .max(EVENT_TYPES.length)
  .refine((events) => new Set(events).size === events.length, 'Each event at most once')

export const CreateWebhookBodySchema = z
  .object({
    url: urlField,
    events: eventsField,
    description: z.string().trim().max(500).optional(),
    enabled: z.boolean().optional().meta({ description: 'Default true.' }),
  })
  .strict()
  .meta({
    id: 'CreateWebhook',
    example: {
      url: 'https://hooks.example.com/sahifa',
      events: ['article.published'],
      description: 'Purge the CDN',
    },
  })

export const UpdateWebhookBodySchema = z
  .object({
    url: urlField.optional(),
    events: eventsField.optional(),
    description: z.string().trim().max(500).optional(),
    enabled: z.boolean().optional().meta({ description: 'true also clears `disabledReason`.' }),
  })
  .strict()
  .meta({ id: 'UpdateWebhook', example: { enabled: true } })

export type CreateWebhookInput = z.infer<typeof CreateWebhookBodySchema>
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookBodySchema>

const AttemptSchema = z
  .object({
    at: TimestampSchema,
    statusCode: z.number().int().nullable().meta({ example: 200 }),
    durationMs: z.number().int().meta({ example: 84 }),
    response: z.string().nullable().meta({ description: 'The first 1 KB of the answer’s body.' }),
    error: z.string().nullable().meta({ description: 'Why no answer came (timeout, refused address…).' }),
  })
  .meta({ id: 'WebhookAttempt' })

export const DeliverySchema = z
  .object({
    id: z.number().int().meta({ example: 7 }),
    webhookId: z.number().int().meta({ example: 1 }),
    messageId: z.string().meta({
      description: 'The `webhook-id` header: the same on every retry and redelivery of this event.',
      example: 'msg_3f1c2e0b8f5a4d7c9e6b1a2d3c4e5f60',
    }),
    eventType: EventTypeSchema,
    status: z.enum(['pending', 'succeeded', 'failed']).meta({
      description: '`pending` until a 2xx (`succeeded`) or the last retry, a 410 (`failed`).',
    }),
    attempts: z.number().int(),
    nextAttemptAt: TimestampSchema.nullable().meta({
      description: 'When it is tried next; null once settled.',
    }),
    lastAttemptAt: TimestampSchema.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastDurationMs: z.number().int().nullable(),
    lastResponse: z.string().nullable().meta({ description: 'The first 1 KB of the last answer’s body.' }),
    lastError: z.string().nullable(),
    attemptLog: z.array(AttemptSchema).meta({ description: 'Every attempt, oldest first.' }),
    payload: z
      .object({ type: EventTypeSchema, timestamp: TimestampSchema, data: z.record(z.string(), z.unknown()) })
      .meta({ description: 'The body that is sent.' }),
    createdAt: TimestampSchema,
  })
  .meta({ id: 'WebhookDelivery' })

export type Delivery = z.infer<typeof DeliverySchema>
export type Attempt = z.infer<typeof AttemptSchema>

export const DeliveryPageSchema = z
  .object({ data: z.array(DeliverySchema), meta: PageMetaSchema })
  .meta({ id: 'WebhookDeliveryPage' })

export const ListDeliveriesQuerySchema = PageQuerySchema.pick({ perPage: true }).extend({
  cursor: z
    .string()
    .max(200)
    .optional()
    .meta({ description: '`meta.nextCursor` of the previous answer: the page after it.' }),
})

export type ListDeliveriesQuery = z.infer<typeof ListDeliveriesQuerySchema>

export const DeliveryParamsSchema = z.object({
  id: IdSchema.meta({ description: 'The webhook’s id.', example: 1 }),
  deliveryId: IdSchema.meta({ description: 'The delivery’s id.', example: 7 }),
})
