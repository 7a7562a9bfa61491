/** The account JSON's additive `commandCheck` (issue 12): the last comparison with Discord's command index. */
export const COMMAND_CHECK_SCHEMA = {
  type: 'object',
  description: "the last comparison of the bot's commands with Discord's live command index (additive)",
  properties: { checkedAt: { type: 'integer' }, ok: { type: 'boolean' }, problems: { type: 'array', items: { type: 'string' } } },
  required: ['checkedAt', 'ok', 'problems'],
  additionalProperties: false,
} as const;
