import type { CommunityEvent, CrowdfundingEvent, FundEvent, PostingLine } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import { applyThroughRows, type Projection } from './projection.ts';
import { createAppendTable, createTemporalTable, versionsIndexes } from './schema.ts';
import { entityOfStream, eventTypesOf } from './streams.ts';
import { AppendedRows, type At, VersionedRows } from './temporal.ts';

// 晒账: each fund's ledger line by line (each spending line with the decision behind it), and
// each crowdfunding campaign's pledges, receipts and refunds. Rows are facts as recorded; the
// balances and the progress are sums the queries take, so no running total can drift. The
// registry's treasurers (出纳) are kept too: the accounts say who records the money.

/** The registry's events this projection reads: the treasurers' appointments. */
const TREASURER_EVENTS = ['TreasurerAppointed', 'TreasurerRevoked'] as const;

function batchRows() {
  return {
    funds: new VersionedRows('funds', ['community_id', 'fund_id']),
    lines: new AppendedRows('fund_lines'),
    campaigns: new VersionedRows('crowdfunding_campaigns', ['community_id', 'campaign_id']),
    movements: new AppendedRows('crowdfunding_movements'),
    treasurers: new VersionedRows('treasurers', ['community_id', 'person_id']),
  };
}
type Rows = ReturnType<typeof batchRows>;

function addLines(
  rows: Rows,
  ids: { cid: string; id: string },
  at: At,
  entry: {
    entryId: string;
    lines: readonly PostingLine[];
    memo: string;
    documentRef: string;
    at: string;
    by: string;
    decision: { proposalId: string; itemId: string; title: string; decidedAt?: string } | null;
    reverses: string | null;
  },
): void {
  entry.lines.forEach((line, i) => {
    rows.lines.add({
      community_id: ids.cid,
      fund_id: ids.id,
      entry_id: entry.entryId,
      line_no: i + 1,
      account: line.account,
      side: line.side,
      amount_fen: String(line.amountFen),
      memo: entry.memo,
      document_ref: entry.documentRef,
      posted_at: entry.at,
      posted_by: entry.by,
      proposal_id: entry.decision?.proposalId ?? null,
      item_id: entry.decision?.itemId ?? null,
      decision_title: entry.decision?.title ?? null,
      decided_at: entry.decision?.decidedAt ?? null,
      reverses: entry.reverses,
      transaction_id: at.tx,
      global_position: at.pos,
    });
  });
}

function handleFund(rows: Rows, event: RecordedEvent, at: At): void {
  const ids = entityOfStream('fund-', event.streamId);
  if (!ids) return;
  const e = { type: event.type, data: event.data } as FundEvent;
  switch (e.type) {
    case 'FundOpened':
      rows.funds.put(
        {
          community_id: ids.cid,
          fund_id: ids.id,
          kind: e.data.kind,
          name: e.data.name,
          description: e.data.description ?? null,
          opened_at: e.data.at,
        },
        at,
      );
      return;
    case 'FundEntryPosted': {
      const d = e.data;
      addLines(rows, ids, at, {
        entryId: d.entryId,
        lines: d.lines,
        memo: d.memo,
        documentRef: d.documentRef,
        at: d.at,
        by: d.by.personId,
        decision: d.decision ?? null,
        reverses: null,
      });
      return;
    }
    case 'FundEntryReversed': {
      const d = e.data;
      // The decision stays on the reversed entry's lines: the query follows `reverses`.
      addLines(rows, ids, at, {
        entryId: d.entryId,
        lines: d.lines,
        memo: d.reason,
        documentRef: d.documentRef,
        at: d.at,
        by: d.by.personId,
        decision: null,
        reverses: d.reverses,
      });
      return;
    }
    default:
      return;
  }
}

function handleCampaign(rows: Rows, event: RecordedEvent, at: At): void {
  const ids = entityOfStream('crowdfunding-', event.streamId);
  if (!ids) return;
  const key = [ids.cid, ids.id];
  const e = { type: event.type, data: event.data } as CrowdfundingEvent;
  const movement = (
    pledgeId: string,
    kind: 'pledge' | 'receipt' | 'owed' | 'refund',
    amountFen: number,
    when: string,
    extra: { pledger_kind?: 'person' | 'party'; pledger_id?: string; document_ref?: string } = {},
  ) =>
    rows.movements.add({
      community_id: ids.cid,
      campaign_id: ids.id,
      pledge_id: pledgeId,
      kind,
      pledger_kind: extra.pledger_kind ?? null,
      pledger_id: extra.pledger_id ?? null,
      amount_fen: String(amountFen),
      document_ref: extra.document_ref ?? null,
      at: when,
      transaction_id: at.tx,
      global_position: at.pos,
    });
  switch (e.type) {
    case 'CrowdfundingOpened': {
      const d = e.data;
      rows.campaigns.put(
        {
          community_id: ids.cid,
          campaign_id: ids.id,
          title: d.title,
          description: d.description ?? null,
          proposal_id: d.proposalId,
          item_id: d.itemId,
          option_id: d.optionId ?? null,
          target_fen: String(d.targetFen),
          deadline: d.deadline,
          status: 'open',
          reason: null,
          opened_at: d.at,
          closed_at: null,
        },
        at,
      );
      return;
    }
    case 'PledgeMade': {
      const { pledger } = e.data;
      movement(e.data.pledgeId, 'pledge', e.data.amountFen, e.data.at, {
        pledger_kind: pledger.kind,
        pledger_id: pledger.kind === 'party' ? pledger.partyId : pledger.personId,
      });
      return;
    }
    case 'PledgeReceiptRecorded':
      movement(e.data.pledgeId, 'receipt', e.data.amountFen, e.data.at, {
        document_ref: e.data.documentRef,
      });
      return;
    case 'CrowdfundingClosed': {
      const d = e.data;
      rows.campaigns.update(key, at, (r) => ({
        ...r,
        status: d.outcome,
        reason: d.reason ?? null,
        closed_at: d.at,
      }));
      for (const owed of d.refundsOwed) movement(owed.pledgeId, 'owed', owed.amountFen, d.at);
      return;
    }
    case 'RefundRecorded':
      movement(e.data.pledgeId, 'refund', e.data.amountFen, e.data.at, {
        document_ref: e.data.documentRef,
      });
      return;
    default:
      return;
  }
}

function handleTreasurer(rows: Rows, event: RecordedEvent, at: At): void {
  if (!event.streamId.startsWith('community-')) return;
  const cid = event.streamId.slice('community-'.length);
  const e = { type: event.type, data: event.data } as CommunityEvent;
  if (e.type !== 'TreasurerAppointed' && e.type !== 'TreasurerRevoked') return;
  rows.treasurers.put(
    { community_id: cid, person_id: e.data.personId, appointed: e.type === 'TreasurerAppointed' },
    at,
  );
}

export const moneyProjection: Projection = {
  name: 'money',
  // 2: the registry's treasurers.
  version: 2,
  tables: ['funds', 'fund_lines', 'crowdfunding_campaigns', 'crowdfunding_movements', 'treasurers'],
  migrations: {
    '2026-12-07-001-money': {
      async up(db) {
        await createTemporalTable(
          db,
          'funds',
          ['community_id', 'fund_id'],
          [
            ['kind', 'text'],
            ['name', 'text'],
            ['description', 'text', 'null'],
            ['opened_at', 'text'],
          ],
        );
        await createAppendTable(db, 'fund_lines', [
          ['community_id', 'text'],
          ['fund_id', 'text'],
          ['entry_id', 'text'],
          ['line_no', 'integer'],
          ['account', 'text'],
          ['side', 'text'],
          ['amount_fen', 'int8'],
          ['memo', 'text'],
          ['document_ref', 'text'],
          ['posted_at', 'text'],
          ['posted_by', 'text'],
          ['proposal_id', 'text', 'null'],
          ['item_id', 'text', 'null'],
          ['decision_title', 'text', 'null'],
          ['decided_at', 'text', 'null'],
          ['reverses', 'text', 'null'],
        ]);
        await createTemporalTable(
          db,
          'crowdfunding_campaigns',
          ['community_id', 'campaign_id'],
          [
            ['title', 'text'],
            ['description', 'text', 'null'],
            ['proposal_id', 'text'],
            ['item_id', 'text'],
            ['option_id', 'text', 'null'],
            ['target_fen', 'int8'],
            ['deadline', 'text'],
            ['status', 'text'],
            ['reason', 'text', 'null'],
            ['opened_at', 'text'],
            ['closed_at', 'text', 'null'],
          ],
        );
        await createAppendTable(db, 'crowdfunding_movements', [
          ['community_id', 'text'],
          ['campaign_id', 'text'],
          ['pledge_id', 'text'],
          ['kind', 'text'],
          ['pledger_kind', 'text', 'null'],
          ['pledger_id', 'text', 'null'],
          ['amount_fen', 'int8'],
          ['document_ref', 'text', 'null'],
          ['at', 'text'],
        ]);
      },
    },
    '2026-12-07-002-treasurers': {
      async up(db) {
        await createTemporalTable(
          db,
          'treasurers',
          ['community_id', 'person_id'],
          [['appointed', 'boolean']],
        );
      },
    },
  },
  concerns: (streamId) =>
    streamId.startsWith('fund-') ||
    streamId.startsWith('crowdfunding-') ||
    streamId.startsWith('community-'),
  eventTypes: [...eventTypesOf('fund'), ...eventTypesOf('crowdfunding'), ...TREASURER_EVENTS],
  indexes: (db) => [
    ...versionsIndexes(db, batchRows()),
    db.schema
      .createIndex('fund_lines_key')
      .ifNotExists()
      .on('fund_lines')
      .columns(['community_id', 'fund_id', 'transaction_id', 'global_position']),
    db.schema
      .createIndex('crowdfunding_movements_key')
      .ifNotExists()
      .on('crowdfunding_movements')
      .columns(['community_id', 'campaign_id', 'transaction_id', 'global_position']),
  ],
  apply: applyThroughRows(batchRows, (rows, event, at) => {
    handleFund(rows, event, at);
    handleCampaign(rows, event, at);
    handleTreasurer(rows, event, at);
  }),
};
