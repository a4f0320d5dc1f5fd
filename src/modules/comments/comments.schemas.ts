/**
 * Comment shapes. The input and output schemas are separate objects on purpose: no response schema is built from
 * the input or the table, so none can carry the commenter's e-mail address or client IP.
 */
import { z } from 'zod'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'
import { ID_MAX, IdSchema, TimestampSchema } from '../../lib/schemas.js'
import { hasBidiOverrides, hasControlCharacters, isBlank, isWellFormed } from '../../lib/text.js'

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

/** A request over this many bytes to post a comment is a 413, whatever BODY_LIMIT_BYTES allows. */
export const COMMENT_REQUEST_MAX_BYTES = 64 * 1024

/** The rules for text a reader writes: shown to everyone, so nothing that hides, reorders or cannot be encoded. */
function readerText<T extends z.ZodType<string>>(schema: T) {
  return schema
    .refine(isWellFormed, 'Must be well-formed Unicode (no lone surrogates)')
    .refine((text) => !hasControlCharacters(text), 'Must not contain control characters')
    .refine((text) => !hasBidiOverrides(text), 'Must not contain bidirectional overrides or isolates')
    .refine((text) => !isBlank(text), 'Must not be blank')
}

// Custom messages everywhere a value is checked by format: an error names the field, never repeats its value.
const BodyTextSchema = readerText(
  z
    .string({ message: 'Expected text' })
    .min(1, 'Must not be empty')
    .max(BODY_MAX, `At most ${BODY_MAX} characters`),
)

/** The URL, or null; zod runs refinements even on a value its format check refused. */
function parseUrl(value: string): URL | null {
  try {
    return new URL(value)
  } catch {
    return null
  }
}

/** An http(s) URL without a user name or password (`https://bank.example@evil.example`), normalized as WHATWG. */
const AuthorUrlSchema = z
  .url({ protocol: /^https?$/, message: 'Expected an absolute http(s) URL' })
  .max(URL_MAX, `At most ${URL_MAX} characters`)
  .refine((url) => {
    const parsed = parseUrl(url)
    return parsed === null || (parsed.username === '' && parsed.password === '')
  }, 'Must not contain a user name or password')
  .refine(
    (url) => (parseUrl(url)?.href.length ?? 0) <= URL_MAX,
    `At most ${URL_MAX} characters once normalized`,
  )
  .transform((url) => (parseUrl(url) as URL).href)

export const CreateCommentBodySchema = z
  .object({
    authorName: readerText(
      z
        .string({ message: 'Expected text' })
        .trim()
        .min(1, 'Must not be empty')
        .max(AUTHOR_NAME_MAX, `At most ${AUTHOR_NAME_MAX} characters`),
    ),
    authorEmail: z
      .email({ message: 'Expected a valid e-mail address' })
      .max(EMAIL_MAX, `At most ${EMAIL_MAX} characters`)
      .meta({ description: 'Required, stored for moderation, and never returned or published.' }),
    body: BodyTextSchema.meta({ description: 'Plain text, 1 to 5,000 characters, kept as written.' }),
    authorUrl: AuthorUrlSchema.nullable().optional().meta({
      description: 'The commenter’s site; http or https only, no user name or password; stored normalized.',
    }),
    parentId: z
      .number({ message: 'Expected a comment id' })
      .int('Expected a comment id')
      .positive('Expected a comment id')
      .max(ID_MAX, 'Expected a comment id')
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
  articleId: IdSchema.optional().meta({ description: 'Only the comments of this article.' }),
})

export type ListCommentsQuery = z.infer<typeof ListCommentsQuerySchema>
