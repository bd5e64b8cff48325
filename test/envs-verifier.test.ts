/**
 * Table-driven verifier cases (spec envs.md "The verifier"; research/verifiers.md section 4), in both
 * modes. EQUIV cases are answer-level: each runs boxed after a closed think block in `reward` and in `eval`
 * mode. EXTRACT cases are whole completions with the expected verdict per mode.
 */
import { describe, expect, it } from 'vitest';
import { extractAnswer, verifyAnswer } from '@brevity/envs';

type Equiv = [pred: string, gold: string, expected: boolean, what: string];

const EQUIV: Equiv[] = [
  // --- fractions vs decimals, exact rationals
  ['0.5', '\\frac12', true, 'decimal equals shorthand fraction'],
  ['\\frac{1}{2}', '0.5', true, 'fraction equals decimal gold'],
  ['1/2', '\\frac{1}{2}', true, 'slash fraction'],
  ['\\dfrac{3}{4}', '\\frac34', true, 'dfrac vs shorthand'],
  ['\\tfrac{3}{4}', '0.75', true, 'tfrac vs decimal'],
  ['0.333333', '\\frac{1}{3}', true, '6-decimal rounding when one side is a decimal'],
  ['0.33', '\\frac{1}{3}', false, 'too few decimals'],
  ['0.3333333', '\\frac13', true, 'more decimals round to the same 6 places'],
  ['5.0', '5', true, 'trailing .0 is exact'],
  ['27.0', '27', true, 'AMC float gold'],
  ['025', '25', true, 'leading zeros (AIME padding)'],
  ['25', '025', true, 'padded gold'],
  ['2.0001', '2', false, 'no tolerance against an integer gold'],
  ['100001', '100000', false, 'no relative tolerance between integers (Qwen 1e-4 bug)'],
  ['1450100', '1450000', false, 'GSM8K-size integers stay exact'],
  ['1.9999999', '2', false, 'integer gold never rounds'],
  ['\\frac{4}{2}', '2', true, 'unreduced fraction'],
  ['-\\frac{3}{8}', '-0.375', true, 'negative fraction vs decimal'],
  ['\\frac{-3}{8}', '-\\frac{3}{8}', true, 'sign inside the numerator'],
  ['.35625', '0.35625', true, 'leading-dot decimal'],
  ['0.0000672', '.0000672', true, 'MATH-500 .0000672'],
  ['0.0000673', '.0000672', false, 'a gold written with 7 decimals compares at 7 places'],
  ['0.00006720', '.0000672', true, 'trailing zero'],
  ['\\frac{1}{2004!}', '\\frac{1}{2006!}', false, 'tiny values compare exactly (Math-Verify false positive)'],
  ['2^{-98}', '2^{-99}', false, 'tiny powers compare exactly'],
  ['1.5 \\times 10^{3}', '1500', true, 'scientific notation with times'],
  ['1e5', '100000', true, 'e-notation is a number, not 1*e*5'],
  ['-2.5E-3', '-0.0025', true, 'e-notation with sign and negative exponent'],
  ['1e5', '100001', false, 'e-notation still compares exactly'],
  ['2e', '2e', true, "a bare trailing e is Euler's number"],
  ['10^6', '1000000', true, 'caret is power, never XOR'],
  ['1\\frac{4}{5}', '\\frac{9}{5}', true, 'mixed number'],
  ['137 \\frac{1}{2}', '137.5', true, 'mixed number with a space'],
  ['-1\\frac{1}{2}', '-1.5', true, 'negative mixed number'],
  ['2\\cdot\\frac{1}{2}', '1', true, 'explicit product is not a mixed number'],
  // --- irrational closed forms
  ['\\sqrt{8}', '2\\sqrt{2}', true, 'radical simplification'],
  ['\\sqrt{4}', '2', true, 'perfect square radical'],
  ['2\\sqrt2', '\\sqrt{8}', true, 'shorthand sqrt'],
  ['\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}', true, 'rationalised denominator'],
  ['1.41421356', '\\sqrt{2}', true, 'decimal approximation to 6 places'],
  ['1.41', '\\sqrt{2}', false, 'coarse approximation'],
  ['6.283185', '2\\pi', true, '2 pi to 6 places'],
  ['6.28', '2\\pi', false, 'pi approximations are not exact'],
  ['\\pi', '3.14', false, 'decimal gold, pi prediction rounds differently'],
  ['\\log_2 8', '3', true, 'exact logarithm'],
  ['\\binom{5}{2}', '10', true, 'binomial'],
  ['5!', '120', true, 'factorial'],
  ['\\sqrt[3]{27}', '3', true, 'cube root'],
  ['e^{0}', '1', true, 'e to the zero'],
  ['\\sin\\frac{\\pi}{6}', '\\frac12', true, 'trig value by BigNumber'],
  ['\\sin^2 x + \\cos^2 x', '1', false, 'an expression with a variable is not a number'],
  ['11\\sqrt2', '11 \\sqrt{2}', true, 'spacing'],
  ['3+4i', '4i+3', true, 'complex number'],
  ['6-5i', '6 - 5i', true, 'complex gold from MATH-500'],
  ['6+5i', '6 - 5i', false, 'conjugate'],
  // --- LaTeX forms and layout
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3,\\frac{\\pi}{2})', true, 'left/right dropped'],
  ['\\displaystyle \\frac{1}{4}', '0.25', true, 'displaystyle'],
  ['10,\\!080', '10080', true, 'thousands with a thin space'],
  ['10{,}080', '10080', true, 'thousands in braces'],
  ['1\\,000', '1000', true, 'thin space between digits (Math-Verify false negative)'],
  ['7,425,000', '7425000', true, 'comma thousands for a scalar gold'],
  ['32, 349', '32349', false, 'comma-space is a list, not thousands'],
  ['\\$32,\\!348', '32348', true, 'currency and thousands'],
  ['\\$18.90', '18.9', true, 'dollar amount'],
  ['18.90', '\\$18.90', true, 'gold with currency'],
  ['55^\\circ', '55', true, 'degree sign dropped'],
  ['55', '55^{\\circ}', true, 'gold with braced degree'],
  ['90°', '90^\\circ', true, 'unicode degree'],
  ['\\frac{270}7', '\\frac{270}7\\text{ degrees}', true, 'shorthand fraction, degrees in text'],
  ['\\fbox{42}', '42', true, 'an fbox inside the box is unwrapped'],
  ['−3', '-3', true, 'unicode minus'],
  ['３', '3', true, 'full-width digit'],
  ['\\mathrm{e}^2', 'e^2', true, 'mathrm e'],
  // --- units and text
  ['864 \\mbox{ inches}^2', '864', true, 'mbox unit with a square'],
  ['15 \\text{ cm}^2', '15', true, 'text unit'],
  ['5.4 \\text{ cents}', '5.4', true, 'cents'],
  ['12 feet', '12', true, 'unit word'],
  ['5 m', '5', true, 'single-letter unit on a bare number'],
  ['18 apples', '18', true, 'words after a bare number against a numeric gold'],
  ['18 apples', '\\text{18 apples}', true, 'text gold with the same words'],
  ['x \\approx 3.14', '3.14', true, 'approximately-equal reads as an assignment'],
  ['x+2', 'x+2t', false, 'a trailing letter in an expression is not a unit (Math-Verify bug)'],
  ['m+n', 'm+n', true, 'letters are never deleted (Qwen bug)'],
  ['n+m', 'm+n', true, 'commuted symbols'],
  ['\\frac{a}{b}', '\\frac{a}{b}', true, 'fraction of symbols survives'],
  ['\\text{Evelyn}', '\\text{Evelyn}', true, 'text name'],
  ['Evelyn', '\\text{Evelyn}', true, 'bare word against a text gold'],
  ['evelyn', '\\text{Evelyn}', true, 'case-insensitive text'],
  ['\\text{Navin}', '\\text{Evelyn}', false, 'different name'],
  ['\\text{east}', '\\text{east}', true, 'a unit-like word as the answer (Qwen deletes it)'],
  ['(C)', '\\text{(C)}', true, 'choice letter in parentheses'],
  ['C', '\\text{(C)}', true, 'bare choice letter against a text gold'],
  ['\\text{(B)}', '\\text{(C)}', false, 'other choice'],
  ['the ellipse', '\\text{ellipse}', true, 'leading article dropped'],
  ['\\text{13}', '13', true, 'number inside text'],
  ['7:32', '7:32', true, 'time compared as text'],
  ['7:23', '7:32', false, 'different time'],
  ['204_5', '204_5', true, 'base subscript'],
  ['4210_{5}', '4210_5', true, 'braced base'],
  ['54', '204_5', false, 'decimal value without the base'],
  // --- percentages
  ['10\\%', '10', true, 'percent against a bare MATH gold'],
  ['25%', '25', true, 'plain percent sign'],
  ['25', '25\\%', true, 'bare prediction, percent gold'],
  ['50\\%', '\\frac12', true, 'value convention for percent'],
  ['0.25', '25', false, 'no scaling without a percent sign (Qwen include_percentage bug)'],
  ['25', '0.25', false, 'no scaling the other way either'],
  ['28 percent', '28', true, 'percent word'],
  ['30\\%', '25', false, 'wrong percent'],
  // --- intervals
  ['(2,5)', '[2,5]', false, 'bracket types matter (Qwen ignores them)'],
  ['[2,5]', '[2,5]', true, 'closed interval'],
  ['(3,4]', '(3,4]', true, 'half-open interval'],
  ['(0.6, 2.6667]', '\\left(\\frac{3}{5},\\frac{8}{3}\\right]', false, '6-decimal rule on endpoints'],
  ['(0.6, 2.666667]', '\\left(\\frac{3}{5},\\frac{8}{3}\\right]', true, 'endpoints at 6 decimals'],
  ['(-\\infty, 2) \\cup (3, \\infty)', '(-\\infty, 2) \\cup (3, \\infty)', true, 'union'],
  ['(3, \\infty) \\cup (-\\infty, 2)', '(-\\infty, 2) \\cup (3, \\infty)', true, 'union order'],
  ['(-\\infty,0]\\cup[0,3)', '(-\\infty,3)', true, 'touching pieces merge'],
  ['(0,9) \\cup (9,36)', '(0,36)', false, 'open pieces at 9 do not merge'],
  ['x \\in [-2,7]', '[-2,7]', true, 'x in S'],
  ['[-2,7]', 'x \\in [-2,7]', true, 'gold with x in'],
  ['-2 \\le x \\le 7', '[-2,7]', true, 'constant-bound inequality converts'],
  ['x > 3', '(3,\\infty)', true, 'one-sided inequality'],
  ['x \\geq 3', '(3,\\infty)', false, 'closed vs open'],
  ['x^2-5x+6 \\le 0', '[2,3]', false, 'non-trivial inequality never converts (copy of the question)'],
  ['\\mathbb{R}', '(-\\infty,\\infty)', true, 'the real line'],
  ['(2,\\infty)', '(2, \\infty)', true, 'infinity endpoint'],
  [
    '\\left[ \\frac{\\pi^2}{8}, \\frac{5 \\pi^2}{4} \\right]',
    '\\left[ \\frac{\\pi^2}{8}, \\frac{5 \\pi^2}{4} \\right]',
    true,
    'MATH-500 interval with pi',
  ],
  [
    '[\\frac{\\pi^2}{8}, 1.25\\pi^2]',
    '\\left[ \\frac{\\pi^2}{8}, \\frac{5 \\pi^2}{4} \\right]',
    true,
    'decimal endpoint times pi',
  ],
  // --- tuples
  ['(1,-16,-4,43)', '(1,-16,-4,43)', true, 'MATH-500 4-tuple'],
  ['(-16,1,-4,43)', '(1,-16,-4,43)', false, 'tuple order matters'],
  ['(8,-2)', '(8,-2)', true, 'pair'],
  ['(8, -2, 0)', '(8,-2)', false, 'length mismatch'],
  ['\\left( \\frac{3}{2}, -13 \\right)', '(1.5,-13)', true, 'pair with a fraction'],
  ['\\langle 1, 2 \\rangle', '(1,2)', true, 'angle-bracket tuple'],
  ['(3,2),(7,2)', '(7,2),(3,2)', true, 'list of tuples is unordered'],
  ['(p,q)=(3,2)', '(3,2)', true, 'tuple assignment'],
  ['3, 2', '(3,2)', true, 'bare list against a tuple, in order'],
  ['2, 3', '(3,2)', false, 'bare list in the wrong order'],
  ['\\{1,3\\}', '(3,1)', false, 'an ordered gold never matches a set'],
  // --- sets
  ['1, -2', '-2, 1', true, 'unordered list'],
  ['\\{-2, 1\\}', '1,-2', true, 'braced set vs list'],
  ['-2 and 1', '1,-2', true, 'and separates list elements'],
  ['x = 5 \\text{ or } x = 6', '5, 6', true, 'solutions of one variable form a set'],
  ['x = 5 \\text{ or } x = 6', '6', false, 'an or-hedge is not a scalar'],
  ['x = 5 or x = 6', '6', false, 'a plain-word or-hedge is not a scalar'],
  ['3, 5, 7', '3, 5, 7', true, 'three elements'],
  ['3, 5', '3, 5, 7', false, 'missing element'],
  ['1 \\pm \\sqrt{19}', '1+\\sqrt{19}, 1-\\sqrt{19}', true, 'pm expands to a set'],
  ['1+\\sqrt{19}, 1-\\sqrt{19}', '1 \\pm \\sqrt{19}', true, 'set against a pm gold'],
  ['1+\\sqrt{19}', '1 \\pm \\sqrt{19}', false, 'one root is not both'],
  ['\\pm 2021', '2021', false, 'pm hedge against a scalar'],
  ['\\{1+\\sqrt{5},1-\\sqrt{5},-2\\}', '\\{1\\pm\\sqrt{5},-2\\}', true, 'pm inside a set'],
  ['\\varnothing', '\\emptyset', true, 'empty set spellings (Math-Verify false negative)'],
  ['\\{\\}', '\\emptyset', true, 'braces as the empty set'],
  // --- equations
  ['x=5', '5', true, 'assignment prediction'],
  ['5', 'x=5', true, 'assignment gold'],
  ['y = 2x + 3', 'y=2x+3', true, 'line'],
  ['2x - y + 3 = 0', 'y = 2x + 3', true, 'rearranged equation (k = -1)'],
  ['2x+3', 'y = 2x + 3', true, 'RHS of an assignment gold'],
  ['y = 2x + 4', 'y = 2x + 3', false, 'other line'],
  ['10x - 14y + 22z + 8 = 0', '5x - 7y + 11z + 4 = 0', true, 'scaled plane'],
  ['5x - 7y + 11z - 4 = 0', '5x - 7y + 11z + 4 = 0', false, 'other plane'],
  ['1', '2x+z=1', false, 'a non-assignment equation never matches a bare value'],
  ['5 \\ge x', 'x \\le 5', true, 'flipped inequality'],
  ['x < 5', 'x > 5', false, 'opposite direction'],
  ['f(x) = x^2', 'x^2', true, 'function assignment'],
  ['x^2', 'f(x)=x^2', true, 'function assignment gold'],
  ['z = 1+1 = 2', '2', true, 'chain keeps the last RHS'],
  ['x = -5, p = \\frac{14}{3}', 'x = -5, p = 14/3', true, 'list of assignments'],
  ['-5, \\frac{14}{3}', 'x = -5, p = \\frac{14}{3}', true, 'values of a list of assignments in order'],
  // --- symbolic expressions
  ['(x+1)^2', 'x^2+2x+1', true, 'expanded square'],
  ['x^2+2x+2', '(x+1)^2', false, 'off by one'],
  ['\\frac{x^2-1}{x-1}', 'x+1', true, 'removable singularity accepted (as sympy)'],
  ['\\sec^2 y', '\\tan^2 y+1', true, 'trig identity'],
  ['t^2+1', 'x^2+1', false, 'variable sets must agree'],
  ['6r^2-4r-24', '6r^2-4r-24', true, 'polynomial'],
  ['2(3r^2-2r-12)', '6r^2-4r-24', true, 'factored polynomial'],
  ['(a+5)(b+2)', 'ab+2a+5b+10', true, 'product of binomials, letter run split'],
  ['ba+2a+5b+10', '(a+5)(b+2)', true, 'commuted letter run'],
  ['\\frac{11+9a}{20}', '\\frac{11}{20}+\\frac{9a}{20}', true, 'split fraction'],
  ['\\cot x', '\\frac{\\cos x}{\\sin x}', true, 'cotangent'],
  ['x^5 - x^4 + x^3 - x^2 + x - 1', '(x-1)(x^4+x^2+1)', true, 'factorisation'],
  ['\\sqrt{x^2}', 'x', true, 'positive sample points'],
  ['3R^2', '3R^2', true, 'capital variable'],
  ['2k+2', '2(k+1)', true, 'factor'],
  ['x' + '+x'.repeat(300), '301x', true, 'a 301-term sum (deep left-nested chains print flat)'],
  ['0.5x', '\\frac{x}{2}', true, 'decimal coefficient'],
  ['\\ln(e^x)', 'x', true, 'log of exp'],
  ['\\log_2 x^3', '3\\log_2 x', true, 'log rule'],
  // --- matrices
  [
    '\\begin{pmatrix} -2 \\\\ -14 \\\\ -7 \\end{pmatrix}',
    '\\begin{pmatrix} -2 \\\\ -14 \\\\ -7 \\end{pmatrix}',
    true,
    'column vector',
  ],
  [
    '\\begin{bmatrix} 1/5 \\\\ -18/5 \\end{bmatrix}',
    '\\begin{pmatrix} 0.2 \\\\ -3.6 \\end{pmatrix}',
    true,
    'bmatrix vs pmatrix, values',
  ],
  [
    '\\begin{pmatrix} -2 & -14 & -7 \\end{pmatrix}',
    '\\begin{pmatrix} -2 \\\\ -14 \\\\ -7 \\end{pmatrix}',
    false,
    'row vs column',
  ],
  [
    '\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}',
    '\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}',
    true,
    '2x2',
  ],
  ['\\begin{vmatrix} 1 & 2 \\\\ 3 & 4 \\end{vmatrix}', '-2', true, 'determinant'],
  // --- malformed and adversarial
  ['9^{9^{9^{9}}}', '1', false, 'power tower returns quickly'],
  ['9^{9^{9^{9}}}', '9^{9^{9^{9}}}', true, 'identical towers match as text'],
  ['2^{100000}', '2', false, 'huge exponent stays fast'],
  ['10^{10^{10}}', '10', false, 'huge nested exponent'],
  ['100000!', '1', false, 'huge factorial refused'],
  ['\\binom{1000000000}{500000000}', '1', false, 'huge binomial refused'],
  ['x^x^x^x^x^2', 'x', false, 'tower of variables (hung the Qwen grader)'],
  ['1'.repeat(1500), '1', false, 'a literal over 1,000 digits'],
  [
    '((((((((((((((((((((((((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))))))))))))))))))))))))',
    'x',
    false,
    'nesting deeper than 50',
  ],
  ['\\frac{}{}', '1', false, 'empty fraction'],
  ['1/0', '1', false, 'division by zero'],
  ['NaN', '1', false, 'NaN is not a number'],
  ['\\infty', '\\infty', true, 'infinity as text'],
  ['\\infty', '10^{1000}', false, 'infinity is not a big number'],
];

type Extract = [completion: string, gold: string, reward: boolean, evalMode: boolean, what: string];

const EXTRACT: Extract[] = [
  ['<think>try 5</think> So \\boxed{6}.', '6', true, true, 'box after think'],
  [
    '<think>maybe \\boxed{6}</think> The answer is 6.',
    '6',
    false,
    true,
    'box only inside think: reward needs it after',
  ],
  ['<think>long reasoning \\boxed{6}', '6', false, false, 'unclosed think is truncated in both modes'],
  ['The answer is \\boxed{\\frac{1}{2}', '\\frac12', false, false, 'unclosed box is truncated output'],
  ['\\boxed{5} wait, that is wrong, \\boxed{6}', '6', true, true, 'self-correction: last box wins, no merge'],
  ['\\boxed{5} wait, that is wrong, \\boxed{6}', '5', false, false, 'self-correction is not a set'],
  ['\\boxed{2}, \\boxed{3}', '2, 3', true, true, 'boxes joined by a comma merge'],
  ['\\boxed{2} and \\boxed{3}', '3, 2', true, true, 'boxes joined by and merge'],
  ['\\boxed{7}\\boxed{7}', '7', true, true, 'duplicate boxes de-duplicated'],
  ['\\fbox{42}', '42', true, true, 'fbox (Math-Verify misses it)'],
  ['\\boxed 7', '7', true, true, 'box without braces'],
  ['$\\boxed{\\{1,2\\}}$', '\\{1,2\\}', true, true, 'escaped braces inside a box'],
  ['\\boxed{\\boxed{4}}', '4', true, true, 'nested box'],
  ['The final answer is $28\\%$. I hope it is correct.', '28', false, true, 'Minerva sentence with percent'],
  [
    'Final Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.',
    '0.75',
    false,
    true,
    'Minerva fraction',
  ],
  ['Natalia sold 48/2 = 24 clips.\n#### 72', '72', false, true, 'GSM8K hashes'],
  ['so 1,450,000 in total\n#### 1,450,000', '1,450,000', false, true, 'hashes with thousands'],
  ['Reasoning...\nAnswer: 34', '34', false, true, 'Answer: line'],
  ['Final Answer: The largest $n$ is 34.', '34', false, true, 'answer line with inner number'],
  ['The answer is 5\n\nQuestion: what is 3+4? The answer is 7', '5', false, false, 'last anchor wins: 7'],
  ['The answer is 5.\n\nNext we note 12.', '5', false, true, 'answer-is beats a later number'],
  [
    'We get $x = 3$ and $y = 4$ at the end, so $x+y=7$',
    '7',
    false,
    true,
    'last math environment (assignment RHS)',
  ],
  [
    'the values are $1$, $2$ and $3$',
    '1, 2, 3',
    false,
    true,
    'environments joined by separators form a list',
  ],
  ['so it costs 18 dollars and 50 cents, total 18.5', '18.5', false, true, 'last number'],
  ['no numbers here at all', '1', false, false, 'nothing to extract'],
  ['', '1', false, false, 'empty completion'],
  ['The answer is 3.14159', '3.14159', false, true, 'a decimal point does not end the sentence'],
  ['<think>a</think><think>b</think>\\boxed{2}', '2', true, true, 'last think close'],
  [
    '\\boxed{15\\frac{39}{40}}, or \\boxed{\\frac{639}{40}} inches',
    '\\frac{639}{40}',
    true,
    true,
    'equivalent boxes joined by or',
  ],
  ['I think \\boxed{3} or maybe \\boxed{4}', '4', true, true, 'hedge with words between boxes: last box'],
  ['\\boxed{3}, \\boxed{4}', '4', false, false, 'hedge merged into a set is not a scalar'],
  ['<think>x</think>' + 'a'.repeat(100_000) + '\\boxed{9}', '9', true, true, '100 KB of text before the box'],
  ['\\boxed{' + '{'.repeat(5000) + '1' + '}'.repeat(5000) + '}', '1', false, false, 'deeply nested braces'],
  ['$'.repeat(20_000) + '5', '5', false, true, 'many dollar signs'],
  [
    'So $\\boxed{}$ and that is 3',
    '3',
    false,
    true,
    'empty box: nothing in reward mode, the last number in eval',
  ],
  [
    '\\boxed{\\undefinedmacro{3}}',
    '3',
    false,
    true,
    'unparsable box: parse_error in reward, the last number in eval',
  ],
  ['\\boxed{\\undefinedmacro{3}}', '4', false, false, 'unparsable box with a wrong fallback'],
  ['So $\\boxed{\\frac{1}{2}$.', '\\frac12', false, false, 'unbalanced braces: the box never closes'],
  ['\\['.repeat(10_000) + ' 5', '5', false, true, 'many unmatched display openers'],
];

describe('verifyAnswer: answer equivalence (both modes)', () => {
  it.each(EQUIV)('%s vs gold %s -> %s (%s)', (pred, gold, expected) => {
    for (const mode of ['reward', 'eval'] as const) {
      const v = verifyAnswer(`<think>work</think>So the result is $\\boxed{${pred}}$.`, gold, { mode });
      expect({ mode, correct: v.correct }).toEqual({ mode, correct: expected });
      expect(['match', 'mismatch', 'parse_error', 'timeout']).toContain(v.reason);
      if (expected) expect(v.reason).toBe('match');
    }
  });
});

describe('verifyAnswer: extraction', () => {
  it.each(EXTRACT)('%s (gold %s): reward %s, eval %s — %s', (completion, gold, reward, evalMode) => {
    expect(verifyAnswer(completion, gold, { mode: 'reward' }).correct).toBe(reward);
    expect(verifyAnswer(completion, gold, { mode: 'eval' }).correct).toBe(evalMode);
  });

  it.each([
    // reason codes
    ['<think>unfinished', '1', 'reward', 'truncated', false],
    ['no box here', '1', 'reward', 'no_answer', false],
    ['\\boxed{1', '1', 'eval', 'no_answer', false],
    ['\\boxed{2}', '1', 'reward', 'mismatch', true],
    ['\\boxed{1}', '1', 'reward', 'match', true],
    ['\\boxed{\\frac{}{}}', '1', 'eval', 'parse_error', true],
  ] as const)('%s -> %s in %s mode', (completion, gold, mode, reason, formatValid) => {
    const v = verifyAnswer(completion, gold, { mode });
    expect(v.reason).toBe(reason);
    expect(v.formatValid).toBe(formatValid);
  });

  it('extractAnswer follows the mode', () => {
    expect(extractAnswer('The answer is 5.', { mode: 'reward' }).answer).toBeNull();
    expect(extractAnswer('The answer is 5.', { mode: 'eval' }).answer).toBe('5');
    expect(extractAnswer('<think>x</think> \\boxed{x^2}').answer).toBe('x^2');
  });

  it('never throws on hostile input', () => {
    const hostile: unknown[] = [null, undefined, 42, {}, '\\', '\\boxed', '}{', '\\frac', '$$', '\u0000'];
    for (const h of hostile) {
      for (const mode of ['reward', 'eval'] as const) {
        expect(() => verifyAnswer(h as string, h as string, { mode })).not.toThrow();
        expect(() => extractAnswer(h as string, { mode })).not.toThrow();
      }
    }
  });
});

describe('verifyAnswer: time', () => {
  it('verifies at least 20,000 simple numeric completions per second on one core', () => {
    const think =
      '<think>' + 'She sold 48 clips in April and half as many in May, so 48/2 = 24. '.repeat(4) + '</think>';
    const cases: [string, string][] = [
      [`${think}So the total is \\boxed{72}.`, '72'],
      [`${think}So the total is \\boxed{71}.`, '72'],
      [`${think}\\boxed{1,450,000}`, '1450000'],
      [`${think}\\boxed{-3.50}`, '-3.5'],
    ];
    for (const [c, g] of cases) {
      for (let i = 0; i < 2000; i++) verifyAnswer(c, g); // warm-up
      let n = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 250) {
        for (let i = 0; i < 500; i++) verifyAnswer(c, g);
        n += 500;
      }
      const rate = (n / (performance.now() - t0)) * 1000;
      expect(rate).toBeGreaterThan(20_000);
    }
  });

  it('answers adversarial inputs within a small multiple of the budget', () => {
    const slow = [
      '\\boxed{9^{9^{9^{9}}}}',
      '\\boxed{(x+1)^{100000}}',
      '\\boxed{' + 'x+'.repeat(300) + 'x}',
      '\\boxed{' + '\\sqrt{'.repeat(45) + '2' + '}'.repeat(45) + '}',
      'x'.repeat(100_000),
    ];
    for (const s of slow) {
      const t = performance.now();
      verifyAnswer(s, '(x+1)^2', { mode: 'eval', budgetMs: 100 });
      expect(performance.now() - t).toBeLessThan(1500);
    }
  });
});

export const CASE_COUNT = EQUIV.length + EXTRACT.length;
