/** What the flow (flow.ts) found, for the test to check. */
export interface FlowResult {
  position: string;
  location: string | null;
  title: string;
  duplicate: boolean;
  allowedRoles: readonly string[];
  missingCode: string;
  /** A decided vote's figures: the rule, and the first item's share of the area for it. */
  decided: { rule: string; outcome: string; yesArea: number; totalArea: number };
  sessionOutcome: string | null;
  dossierStreams: number;
}
