// Table-driven tests for the checks on text readers write (comment names and bodies).
import { describe, expect, it } from 'vitest'
import { hasBidiOverrides, hasControlCharacters, isBlank, isWellFormed } from '../../src/lib/text.js'

describe('hasControlCharacters', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['BEL', '\u0007'],
    ['ESC', 'x\u001b[31m'],
    ['DEL', '\u007f'],
    ['a C1 control (NEL)', '\u0085'],
    ['the last C1 control', '\u009f'],
  ])('finds %s', (_label, text) => {
    expect(hasControlCharacters(text)).toBe(true)
  })

  it.each([
    ['tab and line breaks', 'سطر\tأول\nسطر\r\nثانٍ'],
    ['Arabic with tashkeel', 'مُحَمَّد'],
    ['a no-break space', 'a\u00a0b'],
  ])('allows %s', (_label, text) => {
    expect(hasControlCharacters(text)).toBe(false)
  })
})

describe('hasBidiOverrides', () => {
  it.each(['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'])(
    'finds U+%s',
    (char) => {
      expect(hasBidiOverrides(`abc${char}def`)).toBe(true)
    },
  )

  it.each([
    ['LRM', '\u200e'],
    ['RLM', '\u200f'],
    ['ALM', '\u061c'],
  ])('allows the %s mark, which mixed Arabic and Latin text needs', (_label, char) => {
    expect(hasBidiOverrides(`نص${char}text`)).toBe(false)
  })
})

describe('isWellFormed', () => {
  it.each([
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udc00'],
    ['a reversed pair', '\ude00\ud83d'],
  ])('refuses %s', (_label, text) => {
    expect(isWellFormed(text)).toBe(false)
  })

  it('accepts astral characters written as pairs', () => {
    expect(isWellFormed('👍🏽 👨‍👩‍👧')).toBe(true)
  })
})

describe('isBlank', () => {
  it.each([
    ['empty', ''],
    ['spaces and line breaks', ' \n\t '],
    ['zero-width characters', '\u200b\u200c\u200d\u2060'],
    ['a BOM', '\ufeff'],
    ['a soft hyphen', '\u00ad'],
    ['a Hangul filler', '\u3164'],
    ['other spaces', '\u00a0\u2003\u3000'],
    ['the blank Braille pattern', '\u2800'],
    ['a combining grapheme joiner', '\u034f'],
    ['a variation selector', '\ufe0f'],
  ])('is true for %s', (_label, text) => {
    expect(isBlank(text)).toBe(true)
  })

  it.each([
    ['one letter among zero-width ones', '\u200bب\u200b'],
    ['an emoji', '👍'],
    ['a digit', '٣'],
    ['punctuation', '.'],
  ])('is false for %s', (_label, text) => {
    expect(isBlank(text)).toBe(false)
  })
})
