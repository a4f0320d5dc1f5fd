/**
 * Comment shapes. The input and output schemas are separate objects on purpose: no response schema is built from
 * the input or the table, so none can carry the commenter's e-mail address or client IP.
 */
import { z } from 'zod'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'
import { TimestampSchema } from '../../lib/schemas.js'

export const COMMENT_STATUSES = ['pending', 'approved', 'spam', 'trash'] as const
export type CommentStatus = (typeof COMMENT_STATUSES)[number]

export const AUTHOR_NAME_MAX = 100
export const BODY_MAX = 5000
export const EMAIL_MAX = 254
export const URL_MAX = 2000

const CommentStatusSchema = z.enum(COMMENT_STATUSES).meta({
  description: '`pending` awaits moderation; only `approved` comments are shown to the public.',
})

// Only what anyone may see. The e-mail and the client IP have no place here.
const publicShape = {
  id: z.number().int().meta({ example: 12 }),
  articleId: z.number().int().meta({ example: 1 }),
  parentId: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'The comment this one answers; null for a top-level comment.', example: null }),
  authorName: z.string().meta({ example: 'أبو خالد' }),
  authorUrl: z.string().nullable().meta({ example: 'https://example.com/abu-khaled' }),
  body: z.string().meta({ description: 'Plain text, as written.', example: 'مقال ممتاز، شكراً للكاتب.' }),
  createdAt: TimestampSchema,
}

export const CommentSchema = z.object(publicShape).meta({
  id: 'Comment',
  description: 'A comment as the public sees it. The commenter’s e-mail address is never returned.',
})

export const SubmittedCommentSchema = z.object({ ...publicShape, status: CommentStatusSchema }).meta({
  id: 'SubmittedComment',
  description: 'The answer to a new comment: the comment and whether it awaits moderation.',
})

export const ModeratedCommentSchema = z
  .object({ ...publicShape, status: CommentStatusSchema, updatedAt: TimestampSchema })
  .meta({
    id: 'ModeratedComment',
    description: 'A comment as token holders see it. The e-mail address and client IP are never returned.',
  })

export type Comment = z.infer<typeof CommentSchema>
export type SubmittedComment = z.infer<typeof SubmittedCommentSchema>
export type ModeratedComment = z.infer<typeof ModeratedCommentSchema>

export const CommentPageSchema = pageOf(CommentSchema).meta({ id: 'CommentPage' })
export const ModeratedCommentPageSchema = pageOf(ModeratedCommentSchema).meta({ id: 'ModeratedCommentPage' })

// Custom messages everywhere a value is checked by format: an error names the field, never repeats its value.
const BodyTextSchema = z
  .string({ message: 'Expected text' })
  .min(1, 'Must not be empty')
  .max(BODY_MAX, `At most ${BODY_MAX} characters`)
  .refine((text) => text.trim().length > 0, 'Must not be blank')

export const CreateCommentBodySchema = z
  .object({
    authorName: z
      .string({ message: 'Expected text' })
      .trim()
      .min(1, 'Must not be empty')
      .max(AUTHOR_NAME_MAX, `At most ${AUTHOR_NAME_MAX} characters`),
    authorEmail: z
      .email({ message: 'Expected a valid e-mail address' })
      .max(EMAIL_MAX, `At most ${EMAIL_MAX} characters`)
      .meta({ description: 'Required, stored for moderation, and never returned or published.' }),
    body: BodyTextSchema.meta({ description: 'Plain text, 1 to 5,000 characters, kept as written.' }),
    authorUrl: z
      .url({ protocol: /^https?$/, message: 'Expected an absolute http(s) URL' })
      .max(URL_MAX, `At most ${URL_MAX} characters`)
      .nullable()
      .optional()
      .meta({ description: 'The commenter’s site; http or https only.' }),
    parentId: z
      .number({ message: 'Expected a comment id' })
      .int('Expected a comment id')
      .positive('Expected a comment id')
      .nullable()
      .optional()
      .meta({ description: 'An approved comment of the same article, to answer it.' }),
    honeypot: z
      .string({ message: 'Expected text' })
      .max(BODY_MAX, `At most ${BODY_MAX} characters`)
      .optional()
      .meta({ description: 'Leave empty. Hidden from people in the comment form; bots fill it in.' }),
  })
  .strict()
  // No component id: the schema stays inline in the request body, the one place the document may name the e-mail.
  .meta({
    example: {
      authorName: 'أبو خالد',
      authorEmail: 'abu.khaled@example.com',
      body: 'تحليل دقيق لزيارة بوتين إلى طهران، شكراً.',
    },
  })

export type CreateCommentInput = z.infer<typeof CreateCommentBodySchema>

export const UpdateCommentBodySchema = z
  .object({
    status: z.enum(COMMENT_STATUSES, { message: 'Expected pending, approved, spam or trash' }).optional(),
    body: BodyTextSchema.optional(),
  })
  .strict()
  .meta({ id: 'UpdateComment', example: { status: 'approved' } })

export type UpdateCommentInput = z.infer<typeof UpdateCommentBodySchema>

export const ListCommentsQuerySchema = PageQuerySchema.extend({
  status: z
    .enum(COMMENT_STATUSES)
    .optional()
    .meta({ description: 'Only comments with this status; all when absent.' }),
  articleId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: 'Only the comments of this article.' }),
})

export type ListCommentsQuery = z.infer<typeof ListCommentsQuerySchema>
