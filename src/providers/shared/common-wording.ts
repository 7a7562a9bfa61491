/**
 * Phrases that mean "the bot refused" in the way Discord bots commonly word it. None of them
 * comes from a simulator: they are generic English error phrasing, each needing context (never
 * "must", "invalid", "unknown" or "not found" alone). Provider tables include these lists and add
 * their own; an operator's rules file can replace them.
 */

export const COMMON_REFUSALS: readonly string[] = [
  String.raw`^\W*(error|failed|failure)\b`,
  String.raw`\b(an|unexpected|internal|unknown) error\b`,
  String.raw`\berror (occurred|occured|happened|while)\b`,
  String.raw`\bsomething went wrong\b`,
  String.raw`\bfailed to\b`,
  String.raw`\b(could ?n[o']?t|can ?n[o']?t|unable to) (find|detect|process|read|save|load|apply|open|download|recogni[sz]e|use|handle)\b`,
  String.raw`\bno (human )?faces? (was |were |is |are )?(detected|found|recogni[sz]ed)\b`,
  String.raw`\b(did ?n[o']?t|does ?n[o']?t|could ?n[o']?t) (detect|find|contain|see) (a |any )?(human )?faces?\b`,
  String.raw`\bplease try again\b`,
  String.raw`\btry again later\b`,
  String.raw`\b(unknown|invalid) (idname|id name|identity|option|parameter|flag|argument|command|image|file|format|value|input)s?\b`,
  String.raw`\bnot (a )?valid (idname|id name|identity|image|file|option|parameter|value|input)\b`,
  String.raw`\bmust (be|have|contain|include) (between|at least|at most|less than|more than|greater than|one of|a valid|an? (image|number|integer))\b`,
  String.raw`\b(not allowed|not permitted|forbidden)\b`,
  String.raw`\btoo many (requests|jobs|commands|ids|identities|idnames|faces)\b`,
];

export const COMMON_MODERATION: readonly string[] = [
  String.raw`\bnsfw\b`,
  String.raw`\bmoderat(ed|ion|or)\b`,
  String.raw`\binappropriate\b`,
  String.raw`\bflagged\b`,
  String.raw`\b(violates?|violating|against) (our|the|its) (content |community |usage )?(policy|policies|guidelines|rules|terms)\b`,
  String.raw`\bbanned (word|words|term|terms|content|prompt)\b`,
];

export const COMMON_OUT_OF_CREDITS: readonly string[] = [
  String.raw`\b(out of|no|not enough|insufficient|no more|ran out of|run out of) (credits?|quota|generations|uses)\b`,
  String.raw`\b(credits?|quota)\b[^.\n]{0,30}\b(used up|exhausted|depleted|run out)\b`,
  String.raw`\b(daily|monthly|credit|usage) (credit )?(limit|quota)\b[^.\n]{0,30}\b(reached|exceeded|used up|hit)\b`,
];

/** Titles Discord bots give error embeds. */
export const COMMON_ERROR_TITLES: readonly string[] = [
  String.raw`^\W*(error|failed|failure|oops|something went wrong|problem|denied|refused|not allowed|invalid)\b`,
  String.raw`^\s*(❌|⛔|🚫|✖️)`,
];
