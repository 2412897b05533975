import { describe, expect, it } from 'vitest';
import { abstains, groundedAbstains } from './abstention';
import { NO_ANSWER_SENTENCE } from '../answers/prompt';

describe('abstains: an answer that says it does not know', () => {
  it.each([
    "I'm sorry, but I don't have specific information about Marrowby Instruments' dental insurance provider.",
    "As an AI language model, I don't have access to company-specific data such as Marrowby's benefits.",
    'I do not know which dental insurance provider Marrowby uses.',
    'There is no publicly available information about a Plover P-9 or its list price.',
    "I couldn't find any information on the Plover P-9.",
    'Unfortunately, I cannot provide the list price of the Plover P-9.',
    'I’m not aware of a product called the Plover P-9.',
    "I'm not sure, but it might be Cigna.",
    'I have no way of knowing the list price of an unreleased product.',
    'It is impossible for me to know internal company policies.',
    'That information is not available in my training data.',
    'Marrowby’s insurer is beyond my knowledge.',
  ])('%s', (answer) => {
    expect(abstains(answer)).toBe(true);
  });
});

describe('abstains: a confident answer, right or wrong', () => {
  it.each([
    'Marrowby uses Delta Dental as its dental insurance provider.',
    'The Plover P-9 has a list price of €1,299.',
    'Employees usually have to change their passwords every 90 days.',
    'No. Business class is never reimbursed, including for directors. [2]',
    'No, you cannot fly if the train journey is 6 hours or less door to door. [1]',
    'There is no 90-day rotation; passphrases are changed only if they may have been exposed. [1]',
    'A factory reset does not delete the logged readings; it only clears the configuration.',
    "You don't have to change your password on a schedule.",
    'E-214 usually indicates a sensor fault; there is no information display on the K-20.',
    'The documents say parental leave is 30 weeks at full basic pay. [1]',
    '',
  ])('%j', (answer) => {
    expect(abstains(answer)).toBe(false);
  });
});

describe('groundedAbstains', () => {
  it('counts the sentence the grounded prompt asks for, however decorated', () => {
    expect(groundedAbstains(NO_ANSWER_SENTENCE)).toBe(true);
    expect(groundedAbstains('**The documents do not say.** [1]')).toBe(true);
    expect(groundedAbstains('"The documents do not say."')).toBe(true);
  });

  it('counts a grounded answer that declines in its own words', () => {
    expect(groundedAbstains('The passages do not mention a dental insurance provider.')).toBe(true);
    expect(groundedAbstains("The provided context doesn't say which provider is used.")).toBe(true);
  });

  it('does not count a grounded answer that answers', () => {
    expect(
      groundedAbstains('The Finance Director, Callum Trewin, approves claims up to €10,000 [1].'),
    ).toBe(false);
  });
});
