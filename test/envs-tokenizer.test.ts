import { describe, expect, it } from 'vitest';
import { CharTokenizer, encodeExample, modchainTokenizer, SPECIAL_TOKENS } from '@brevity/envs';

describe('CharTokenizer', () => {
  const tok = modchainTokenizer();

  it('has the five specials at fixed ids and a small modchain vocab', () => {
    expect([tok.pad, tok.bos, tok.eos, tok.think, tok.thinkEnd]).toEqual([0, 1, 2, 3, 4]);
    expect(tok.vocab().slice(0, 5)).toEqual([...SPECIAL_TOKENS]);
    expect(tok.vocabSize).toBe(21);
  });

  it.each([
    // a full teacher trace: `<think>`, `</think>` and `\boxed{` are single tokens
    ['<think>3+4=7.c3+4=7.</think>\\boxed{7}', 1 + 6 + 7 + 1 + 1 + 1 + 1],
    // a prompt: one token per character
    ['3+4+9+2+8=', 10],
    // `<` and `b` are not in the vocab by themselves, but `<think>` is matched as a whole
    ['<think>', 1],
    // empty text
    ['', 0],
  ])('round-trips %s exactly (%i tokens)', (text, n) => {
    const ids = tok.encode(text);
    expect(ids.length).toBe(n);
    expect(tok.decode(ids)).toBe(text);
  });

  it('decodes specials unless skipped; think tags are always kept', () => {
    const ids = [tok.bos, tok.think, ...tok.encode('1+2=3.'), tok.thinkEnd, tok.eos, tok.pad];
    expect(tok.decode(ids)).toBe('<bos><think>1+2=3.</think><eos><pad>');
    expect(tok.decode(ids, { skipSpecial: true })).toBe('<think>1+2=3.</think>');
  });

  it('names an unknown character and its offset', () => {
    expect(() => tok.encode('1+x')).toThrow(/"x" at offset 2/);
    expect(tok.canEncode('1+x')).toBe(false);
    expect(tok.canEncode('1+2=')).toBe(true);
    expect(() => tok.tokenToString(99)).toThrow(/outside vocab/);
  });

  it('serialises and restores to an identical tokenizer', () => {
    const json = JSON.parse(JSON.stringify(tok.toJSON()));
    const back = CharTokenizer.fromJSON(json);
    expect(back.vocab()).toEqual(tok.vocab());
    expect(Array.from(back.encode('<think>1+2=3.</think>\\boxed{3}'))).toEqual(
      Array.from(tok.encode('<think>1+2=3.</think>\\boxed{3}')),
    );
    expect(() => CharTokenizer.fromJSON({ type: 'char', tokens: ['a'] })).toThrow(/first tokens/);
  });

  it('prefers the longest match (`ab` over `a`)', () => {
    const t = new CharTokenizer(['a', 'b', 'ab']);
    expect(Array.from(t.encode('aab'))).toEqual([5, 7]);
  });

  it('builds a supervised example with bos, eos and the response start', () => {
    const ex = encodeExample(tok, '1+2=', '<think>1+2=3.</think>\\boxed{3}');
    expect(ex.ids[0]).toBe(tok.bos);
    expect(ex.ids[ex.ids.length - 1]).toBe(tok.eos);
    expect(ex.responseStart).toBe(5);
    expect(ex.ids[ex.responseStart]).toBe(tok.think);
  });
});
