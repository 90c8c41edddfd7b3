/**
 * A small English text written for Cortex, for `cortex demo char-gpt` when Debian's `fortunes`
 * corpus is not installed. In the fortune format: one saying per paragraph, each followed by a
 * `%` line.
 * @module
 */
const SAYINGS = [
  'The early bird gets the worm, but the second mouse gets the cheese.',
  'A watched pot never boils; an unwatched one boils over.',
  'If at first you do not succeed, read the error message.',
  'Every program has at least one bug and can be shortened by at least one line.',
  'The best time to plant a tree was twenty years ago. The second best time is now.',
  'Do not count your chickens before they hatch, and do not count your tests before they pass.',
  'A journey of a thousand miles begins with a single step, and a training run with a single batch.',
  'Measure twice, cut once. Profile first, optimise second.',
  'Still waters run deep, and still gradients run nowhere.',
  'The more you learn, the more you know how little you know.',
  'Where there is smoke there is fire, and where there is a NaN there is a division by zero.',
  'An apple a day keeps the doctor away, if you throw it hard enough.',
  'The pen is mightier than the sword, and the eraser is mightier than the pen.',
  'Time flies like an arrow; fruit flies like a banana.',
  'Good judgement comes from experience, and experience comes from bad judgement.',
  'You can lead a horse to water, but you cannot make it drink.',
  'Rome was not built in a day, and neither was a good test suite.',
  'When in doubt, leave it out. When in a hurry, write it down.',
  'There is no place like home, and no place like 127.0.0.1.',
  'Fortune favours the bold, and the patient, and the ones who keep backups.',
  'A bird in the hand is worth two in the bush, but it is harder to type with.',
  'The quick brown fox jumps over the lazy dog, which did not even notice.',
  'Many hands make light work, and many cooks spoil the broth.',
  'Simple things should be simple, and complex things should be possible.',
];

/** About two thousand characters of sayings, `%`-separated like the fortune files. */
export const TINY_TEXT: string = SAYINGS.map((s) => `${s}\n%\n`).join('');
