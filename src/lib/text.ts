/** Checks on text that readers write (comment names and bodies): what cannot be shown honestly is refused. */

// C0 and C1 controls and DEL (category Cc), except tab, line feed and carriage return, which plain text needs.
const CONTROL = /[^\P{Cc}\t\n\r]/u
// Embeddings, overrides and isolates reorder what follows them (a name that reads backwards, a spoofed link).
// The marks U+200E, U+200F and U+061C are kept: Arabic text mixed with Latin needs them.
const BIDI_OVERRIDE = /[\u202A-\u202E\u2066-\u2069]/u
// With the u flag a lone surrogate is a code point of its own, in category Cs; a well-formed pair is not.
const LONE_SURROGATE = /\p{Cs}/u
// What shows nothing: spaces of every kind, format characters (zero-width space, joiners, BOM, soft hyphen),
// default-ignorable code points (Hangul fillers, variation selectors, tags) and the blank Braille pattern.
const INVISIBLE = /[\s\p{Z}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu

export const hasControlCharacters = (text: string): boolean => CONTROL.test(text)
export const hasBidiOverrides = (text: string): boolean => BIDI_OVERRIDE.test(text)
export const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text)
/** True for text that shows nothing at all: empty, spaces only, zero-width characters only. */
export const isBlank = (text: string): boolean => text.replace(INVISIBLE, '') === ''
