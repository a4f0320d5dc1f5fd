/**
 * Writes a large WordPress export for the importer's benchmark: `posts` Arabic posts (percent-encoded slugs cut at
 * 200 bytes as WordPress cuts them, categories and tags, threaded comments, a featured image whose attachment
 * comes later in the file), streamed to disk so the generator itself stays small.
 */
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'

const WORDS = (
  'الرئيس الحكومة الاتفاق النووي إيران روسيا طهران موسكو العقوبات النفط الاقتصاد الأسواق العملة المفاوضات ' +
  'الملف السوري البرلمان الانتخابات المعارضة الوزير الخارجية الأمن المنطقة الخليج العلاقات التعاون الطاقة ' +
  'الاستثمار التضخم البطالة الشباب التعليم الصحة المستشفيات الزراعة المياه الجفاف المناخ الصناعة التجارة'
).split(' ')

function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

const cdata = (text: string) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`

/** WordPress's utf8_uri_encode($title, 200): whole characters, lower-case escapes, then spaces to hyphens. */
function wpSlug(title: string): string {
  let out = ''
  for (const char of title) {
    const encoded = /^[\x20-\x7e]$/.test(char)
      ? char
      : [...Buffer.from(char)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')
    if (out.length + encoded.length > 200) break
    out += encoded
  }
  return out.replaceAll(' ', '-')
}

function wpDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

export interface GenerateOptions {
  posts: number
  commentsPerPost?: number
  /** Words per post body. */
  words?: number
}

export async function generateWxr(path: string, options: GenerateOptions): Promise<void> {
  const { posts, commentsPerPost = 3, words = 900 } = options
  const rand = random(42)
  const pick = () => WORDS[Math.floor(rand() * WORDS.length)] as string
  const out = createWriteStream(path)
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain')
  }
  await write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>بنك الأخبار</title><link>https://bench.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://bench.example</wp:base_site_url><wp:base_blog_url>https://bench.example</wp:base_blog_url>
<wp:author><wp:author_login>${cdata('editor')}</wp:author_login><wp:author_display_name>${cdata('هيئة التحرير')}</wp:author_display_name></wp:author>
`)
  const tags = Array.from({ length: 400 }, (_, i) => `${pick()} ${pick()} ${i}`)
  for (const [i, name] of tags.entries())
    await write(
      `<wp:tag><wp:term_id>${1000 + i}</wp:term_id><wp:tag_slug>${cdata(wpSlug(name))}</wp:tag_slug><wp:tag_name>${cdata(name)}</wp:tag_name></wp:tag>\n`,
    )
  const start = Date.UTC(2010, 0, 1)
  let commentId = 1
  for (let id = 1; id <= posts; id++) {
    const title = Array.from({ length: 12 }, pick).join(' ')
    const slug = wpSlug(title)
    const paragraphs = Array.from({ length: Math.ceil(words / 60) }, () =>
      Array.from({ length: 60 }, pick).join(' '),
    )
    const date = wpDate(start + id * 3_600_000)
    const itemTags = Array.from({ length: 4 }, () => tags[Math.floor(rand() * tags.length)] as string)
    const comments: string[] = []
    const first = commentId
    for (let c = 0; c < commentsPerPost; c++, commentId++) {
      comments.push(
        `<wp:comment><wp:comment_id>${commentId}</wp:comment_id><wp:comment_author>${cdata(`قارئ ${commentId}`)}</wp:comment_author><wp:comment_author_email>reader${commentId}@example.com</wp:comment_author_email><wp:comment_author_IP>192.0.2.${commentId % 250}</wp:comment_author_IP><wp:comment_date_gmt>${date}</wp:comment_date_gmt><wp:comment_content>${cdata(Array.from({ length: 20 }, pick).join(' '))}</wp:comment_content><wp:comment_approved>${c === 2 ? 'spam' : '1'}</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>${c === 1 ? first : 0}</wp:comment_parent></wp:comment>`,
      )
    }
    // Every post's featured image is an attachment written after the next 50 posts.
    const thumbnail = 10_000_000 + Math.floor(id / 50)
    await write(
      `<item><title>${cdata(title)}</title><link>https://bench.example/${date.slice(0, 10).replaceAll('-', '/')}/${slug}/</link><dc:creator>${cdata('editor')}</dc:creator><guid isPermaLink="false">https://bench.example/?p=${id}</guid><content:encoded>${cdata(paragraphs.join('\n\n'))}</content:encoded><excerpt:encoded>${cdata('')}</excerpt:encoded><wp:post_id>${id}</wp:post_id><wp:post_date>${date}</wp:post_date><wp:post_date_gmt>${date}</wp:post_date_gmt><wp:comment_status>open</wp:comment_status><wp:post_name>${cdata(slug)}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>${itemTags.map((name) => `<category domain="post_tag" nicename="${wpSlug(name)}">${cdata(name)}</category>`).join('')}<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>${thumbnail}</wp:meta_value></wp:postmeta>${comments.join('')}</item>\n`,
    )
    if (id % 50 === 49 || id === posts)
      await write(
        `<item><title>صورة</title><wp:post_id>${thumbnail}</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status><wp:attachment_url>https://bench.example/uploads/${thumbnail}.jpg</wp:attachment_url></item>\n`,
      )
  }
  await write('</channel>\n</rss>\n')
  out.end()
  await once(out, 'finish')
}
