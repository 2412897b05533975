/**
 * "RAG or fine-tuning?": five questions about a person's problem and the recommendation they
 * lead to, with a reason for each answer that decided it. Pure data and logic; the guide panel
 * (ui/guide) renders the questions and the reasons, and links a reason's `show` to the part of
 * Grounded where the point can be seen.
 */

export type YesNo = 'yes' | 'no';

export interface GuideAnswers {
  /** Does the knowledge the answers rely on change? */
  knowledge: 'often' | 'sometimes' | 'rarely';
  /** Must answers say where they came from? */
  citations: YesNo;
  /** What is wrong with the answers of a model given a plain prompt? */
  problem: 'facts' | 'style' | 'both' | 'unmeasured';
  /** Are there labelled examples: questions paired with the answers wanted? */
  labelledData: YesNo;
  /** Can the person train, host and retrain a model? */
  mlCapacity: YesNo;
}

export type QuestionId = keyof GuideAnswers;

/** Answers so far: the guide recommends once every question has one. */
export type PartialAnswers = Partial<GuideAnswers>;

export interface GuideOption<Id extends QuestionId = QuestionId> {
  value: GuideAnswers[Id];
  label: string;
}

export interface GuideQuestion<Id extends QuestionId = QuestionId> {
  id: Id;
  question: string;
  /** The question in a few words, to label the answer a reason follows from. */
  topic: string;
  options: readonly GuideOption<Id>[];
}

type Questions = { [Id in QuestionId]: GuideQuestion<Id> }[QuestionId];

/** The questions, in the order they are asked. */
export const GUIDE_QUESTIONS: readonly Questions[] = [
  {
    id: 'knowledge',
    topic: 'Does the knowledge change?',
    question: 'Does the knowledge your answers rely on change?',
    options: [
      { value: 'often', label: 'Often: prices, policies, tickets, this week’s notes' },
      { value: 'sometimes', label: 'Now and then: a few times a year' },
      { value: 'rarely', label: 'Rarely or never: a settled body of knowledge' },
    ],
  },
  {
    id: 'citations',
    topic: 'Must answers cite sources?',
    question: 'Must answers cite their sources?',
    options: [
      { value: 'yes', label: 'Yes: people must be able to check where an answer came from' },
      { value: 'no', label: 'No: a plain answer is enough' },
    ],
  },
  {
    id: 'problem',
    topic: 'What is wrong?',
    question: 'What is wrong with the answers a model gives from a plain prompt?',
    options: [
      { value: 'facts', label: 'Facts: it does not know yours, or gets them wrong' },
      { value: 'style', label: 'Style or format: the facts are fine, the tone or layout is not' },
      { value: 'both', label: 'Both facts and style' },
      { value: 'unmeasured', label: 'I have not measured it yet' },
    ],
  },
  {
    id: 'labelledData',
    topic: 'Labelled data?',
    question:
      'Do you have labelled data: hundreds of questions or inputs paired with the answers you want?',
    options: [
      { value: 'yes', label: 'Yes' },
      { value: 'no', label: 'No' },
    ],
  },
  {
    id: 'mlCapacity',
    topic: 'Can you train a model?',
    question: 'Can you train, host and retrain a model (GPUs, the skills, the time)?',
    options: [
      { value: 'yes', label: 'Yes' },
      { value: 'no', label: 'No' },
    ],
  },
];

export type Verdict = 'rag' | 'fine-tuning' | 'both' | 'evaluate-first' | 'prompt-first';

/** How each verdict is named, and what it means in a sentence. */
export const VERDICTS: Record<Verdict, { title: string; summary: string }> = {
  rag: {
    title: 'Retrieval (RAG)',
    summary:
      'Keep the model as it is and give it the passages that hold the answer, found in your documents at question time.',
  },
  'fine-tuning': {
    title: 'Fine-tuning',
    summary:
      'Train the model on your examples so that it answers the way they do, with no documents at question time.',
  },
  both: {
    title: 'Both: retrieval for the facts, fine-tuning for the style',
    summary:
      'A model fine-tuned on your examples, answering from passages retrieved at question time.',
  },
  'evaluate-first': {
    title: 'Neither yet: evaluate first',
    summary:
      'Measure what goes wrong before choosing: a set of questions with known answers, asked with and without retrieval.',
  },
  'prompt-first': {
    title: 'Neither yet: prompt first',
    summary:
      'Say in the prompt how answers should look, with a few examples; it is often enough, and costs nothing to try.',
  },
};

/** A part of Grounded where a reason can be seen at work. */
export type Showcase = 'documents' | 'passages' | 'evaluation';

export interface Reason {
  /** The answer this reason follows from. */
  question: QuestionId;
  text: string;
  show?: Showcase;
}

export type Recommendation =
  { verdict: Verdict; reasons: Reason[] } | { verdict: null; missing: QuestionId[] };

/** The recommendation for `answers`, or the questions still unanswered. */
export function recommend(answers: PartialAnswers): Recommendation {
  const missing = GUIDE_QUESTIONS.map((q) => q.id).filter((id) => answers[id] === undefined);
  if (missing.length > 0) return { verdict: null, missing };
  const a = answers as GuideAnswers;

  const changes = a.knowledge !== 'rarely';
  const cites = a.citations === 'yes';
  const facts = a.problem === 'facts' || a.problem === 'both';
  const style = a.problem === 'style' || a.problem === 'both';
  const lacking = [
    ...(a.labelledData === 'no' ? ['labelled data'] : []),
    ...(a.mlCapacity === 'no' ? ['the capacity to train and host a model'] : []),
  ];
  const canTune = lacking.length === 0;
  const reasons: Reason[] = [];

  if (a.problem === 'unmeasured') {
    reasons.push({
      question: 'problem',
      text:
        'You have not measured what goes wrong yet. Ask a set of questions whose answers you ' +
        'know, with and without retrieval: the score tells you whether facts or style fail, and ' +
        'gives every later change a number to beat.',
      show: 'evaluation',
    });
    if (changes) reasons.push(freshness(a.knowledge, LEAN));
    if (cites) reasons.push(citing(LEAN));
    if (!canTune) {
      reasons.push({
        question: a.labelledData === 'no' ? 'labelledData' : 'mlCapacity',
        text: `Fine-tuning is not open to you yet (it needs ${lacking.join(' and ')}); the evaluation’s questions are a first step towards labelled data.`,
      });
    }
    return { verdict: 'evaluate-first', reasons };
  }

  if (facts) {
    reasons.push({
      question: 'problem',
      text:
        'The answers lack your facts or get them wrong. Retrieval puts the passages that hold ' +
        'them into the prompt, for the model to answer from; training facts into a model makes ' +
        'it likelier to repeat them, not to stay right about them.',
      show: 'passages',
    });
  }
  if (changes) reasons.push(freshness(a.knowledge));
  if (cites) reasons.push(citing());
  const rag = facts || changes || cites;

  if (style && canTune) {
    reasons.push({
      question: 'labelledData',
      text:
        'The style or format is off, and you have labelled examples and the capacity to train: ' +
        'fine-tuning on them makes the model write the way they do, every time, without ' +
        'spending the prompt on instructions.',
    });
  } else if (style) {
    reasons.push({
      question: a.labelledData === 'no' ? 'labelledData' : 'mlCapacity',
      text: `The style or format is off, but fine-tuning needs ${lacking.join(' and ')}, which you do not have. Say in the prompt how answers should look, with two or three examples, first: it is often enough.`,
    });
  }

  if (rag && style && canTune) {
    reasons.push({
      question: 'problem',
      text:
        'The two combine: retrieval brings the facts and keeps them current, the fine-tuned ' +
        'model answers from the passages in your style. Fine-tune on examples that include ' +
        'passages, so the model learns to use them.',
    });
    return { verdict: 'both', reasons };
  }
  if (rag) {
    if (facts && canTune && !style) {
      reasons.push({
        question: 'labelledData',
        text:
          'Having labelled data and the capacity to train does not change this: keep the ' +
          'examples as an evaluation set, to measure retrieval by.',
        show: 'evaluation',
      });
    }
    return { verdict: 'rag', reasons };
  }
  if (canTune) {
    reasons.push({
      question: 'knowledge',
      text:
        'Your knowledge rarely changes and answers need not cite sources, so a trained model ' +
        'does not go stale quickly and nothing needs the passages shown.',
    });
    return { verdict: 'fine-tuning', reasons };
  }
  return { verdict: 'prompt-first', reasons };
}

/** Opens a reason that holds whatever an evaluation finds. */
const LEAN = 'Retrieval will be part of it whatever the evaluation shows, because ';

function freshness(knowledge: GuideAnswers['knowledge'], lead = ''): Reason {
  const how = knowledge === 'often' ? 'changes often' : 'changes now and then';
  const sentence =
    `your knowledge ${how}: with retrieval, an edited document is used by the very next ` +
    'question, while a fine-tuned model knows what it was trained on until it is trained again.';
  return {
    question: 'knowledge',
    text: lead ? lead + sentence : sentence.charAt(0).toUpperCase() + sentence.slice(1),
    show: 'documents',
  };
}

function citing(lead = ''): Reason {
  const sentence =
    'answers must cite their sources: a grounded answer can number the passages it used and ' +
    'you can open them; what a fine-tuned model learned is spread through its weights, with no ' +
    'source to point to.';
  return {
    question: 'citations',
    text: lead ? lead + sentence : sentence.charAt(0).toUpperCase() + sentence.slice(1),
    show: 'passages',
  };
}

/** The valid answers in `value` (e.g. read back from storage); anything else is dropped. */
export function parseAnswers(value: unknown): PartialAnswers {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const answers: Record<string, unknown> = {};
  for (const q of GUIDE_QUESTIONS) {
    const given = record[q.id];
    if (q.options.some((o) => o.value === given)) answers[q.id] = given;
  }
  return answers as PartialAnswers;
}
