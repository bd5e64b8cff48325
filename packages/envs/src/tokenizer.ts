/**
 * Character tokenizer for the synthetic testbeds: the task alphabet, a few fixed multi-character strings of
 * the answer format (`\boxed{`) as single tokens, and five special tokens. Encoding is greedy longest match,
 * so decoding returns exactly the text that was encoded and the verifier reads it unchanged.
 * Pure TS and JSON-serialisable: the trainer saves `toJSON()` with each checkpoint.
 */

/** The special tokens, in id order (ids 0..4 in every CharTokenizer). */
export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<think>', '</think>'] as const;

/** Serialised form, as saved in a checkpoint. */
export interface CharTokenizerJSON {
  type: 'char';
  /** Every token string, in id order; the first five are SPECIAL_TOKENS. */
  tokens: string[];
}

export interface DecodeOptions {
  /**
   * Drop `<pad>`, `<bos>` and `<eos>` from the text. `<think>` and `</think>` are part of the answer format
   * the verifier reads, so they are always decoded.
   */
  skipSpecial?: boolean;
}

export class CharTokenizer {
  readonly pad = 0;
  readonly bos = 1;
  readonly eos = 2;
  readonly think = 3;
  readonly thinkEnd = 4;
  private readonly tokens: readonly string[];
  private readonly ids = new Map<string, number>();
  /** Candidate token strings per first character, longest first (greedy longest match). */
  private readonly byFirst = new Map<string, string[]>();

  /** `alphabet`: the task's tokens (single characters or fixed strings); specials are added in front. */
  constructor(alphabet: readonly string[]) {
    const tokens = [...SPECIAL_TOKENS, ...alphabet];
    for (const [i, t] of tokens.entries()) {
      if (t.length === 0) throw new Error('CharTokenizer: empty token string');
      if (this.ids.has(t)) throw new Error(`CharTokenizer: duplicate token ${JSON.stringify(t)}`);
      this.ids.set(t, i);
      const list = this.byFirst.get(t[0]) ?? [];
      list.push(t);
      this.byFirst.set(t[0], list);
    }
    for (const list of this.byFirst.values()) list.sort((a, b) => b.length - a.length);
    this.tokens = tokens;
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  /** The token strings in id order (a copy). */
  vocab(): string[] {
    return [...this.tokens];
  }

  /** Token ids of `text` by greedy longest match; no BOS/EOS is added. Throws on a character outside the vocab. */
  encode(text: string): Int32Array {
    const out: number[] = [];
    let i = 0;
    while (i < text.length) {
      const cands = this.byFirst.get(text[i]);
      const hit = cands?.find((t) => text.startsWith(t, i));
      if (hit === undefined) {
        throw new RangeError(
          `CharTokenizer.encode: ${JSON.stringify(text[i])} at offset ${i} is not in the vocabulary ` +
            `(${this.tokens.slice(SPECIAL_TOKENS.length).join(' ')})`,
        );
      }
      out.push(this.ids.get(hit)!);
      i += hit.length;
    }
    return Int32Array.from(out);
  }

  /** True when every character of `text` can be encoded. */
  canEncode(text: string): boolean {
    let i = 0;
    while (i < text.length) {
      const hit = this.byFirst.get(text[i])?.find((t) => text.startsWith(t, i));
      if (hit === undefined) return false;
      i += hit.length;
    }
    return true;
  }

  /** The text of `ids`; ids outside the vocab throw. */
  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (opts.skipSpecial && (id === this.pad || id === this.bos || id === this.eos)) continue;
      s += this.tokenToString(id);
    }
    return s;
  }

  tokenToString(id: number): string {
    const t = this.tokens[id];
    if (t === undefined)
      throw new RangeError(`CharTokenizer: token id ${id} outside vocab of ${this.vocabSize}`);
    return t;
  }

  /** Id of a token string (a special like `</think>` or an alphabet entry), or undefined. */
  tokenId(token: string): number | undefined {
    return this.ids.get(token);
  }

  toJSON(): CharTokenizerJSON {
    return { type: 'char', tokens: [...this.tokens] };
  }

  static fromJSON(json: CharTokenizerJSON): CharTokenizer {
    if (json?.type !== 'char' || !Array.isArray(json.tokens)) {
      throw new Error('CharTokenizer.fromJSON: expected {type: "char", tokens: string[]}');
    }
    const head = json.tokens.slice(0, SPECIAL_TOKENS.length);
    if (head.some((t, i) => t !== SPECIAL_TOKENS[i])) {
      throw new Error(`CharTokenizer.fromJSON: the first tokens must be ${SPECIAL_TOKENS.join(' ')}`);
    }
    return new CharTokenizer(json.tokens.slice(SPECIAL_TOKENS.length));
  }
}

/**
 * One supervised example: `[bos, ...prompt, ...response, eos]` and the index where the response starts,
 * so a trainer can mask the prompt out of the loss.
 */
export function encodeExample(
  tok: CharTokenizer,
  prompt: string,
  response: string,
): { ids: Int32Array; responseStart: number } {
  const p = tok.encode(prompt);
  const r = tok.encode(response);
  const ids = new Int32Array(p.length + r.length + 2);
  ids[0] = tok.bos;
  ids.set(p, 1);
  ids.set(r, 1 + p.length);
  ids[ids.length - 1] = tok.eos;
  return { ids, responseStart: 1 + p.length };
}
