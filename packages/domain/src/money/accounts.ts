import { z } from 'zod';

// The chart of accounts of a community fund (专项维修资金, 微基金), double-entry: every
// posting has lines whose debits equal their credits, so the ledger always balances.
// Assets (the bank account, cash, what is owed to the fund) grow by debits; income and the
// fund's own capital grow by credits; spending grows by debits.

export const Account = z.enum([
  'bank', // 银行存款
  'cash', // 库存现金
  'receivable', // 应收款（如业主应缴未缴的维修资金）
  'income:owner-deposits', // 业主缴存
  'income:interest', // 利息收入
  'income:crowdfunding', // 众筹转入
  'income:donations', // 捐赠
  'income:other', // 其他收入
  'spending:repairs', // 维修工程
  'spending:equipment', // 设施设备
  'spending:services', // 服务费用
  'spending:other', // 其他支出
]);
export type Account = z.infer<typeof Account>;

export type AccountKind = 'asset' | 'income' | 'spending';

export function accountKind(account: Account): AccountKind {
  if (account.startsWith('income:')) return 'income';
  if (account.startsWith('spending:')) return 'spending';
  return 'asset';
}

/** Money the fund holds and may pay out from (a receivable is owed, not held). */
export const HELD: readonly Account[] = ['bank', 'cash'];

const Amount = z.number().int().min(1).max(10_000_000_000_000);

/** One line of a posting: an amount on the debit or the credit side of an account. */
export const PostingLine = z.object({
  account: Account,
  side: z.enum(['debit', 'credit']),
  amountFen: Amount,
});
export type PostingLine = z.infer<typeof PostingLine>;

export const PostingLines = z.array(PostingLine).min(2).max(20);

/** Debits and credits of some lines, in fen. */
export function sides(lines: readonly PostingLine[]): { debitFen: number; creditFen: number } {
  let debitFen = 0;
  let creditFen = 0;
  for (const line of lines) {
    if (line.side === 'debit') debitFen += line.amountFen;
    else creditFen += line.amountFen;
  }
  return { debitFen, creditFen };
}

/** A line's effect on its account's balance, in the account's natural direction. */
export function signedAmount(line: PostingLine): number {
  const debitNatural = accountKind(line.account) !== 'income';
  return (line.side === 'debit') === debitNatural ? line.amountFen : -line.amountFen;
}

/** Net spending of some lines: debits to spending accounts less credits to them. */
export function spendingOf(lines: readonly PostingLine[]): number {
  return lines
    .filter((l) => accountKind(l.account) === 'spending')
    .reduce((sum, l) => sum + signedAmount(l), 0);
}

/** The lines that undo `lines`: each on the other side (冲销: a correction, never an edit). */
export function reversed(lines: readonly PostingLine[]): PostingLine[] {
  return lines.map((l) => ({ ...l, side: l.side === 'debit' ? 'credit' : 'debit' }));
}

/** Balances per account after `lines`, starting from `balances`. */
export function post(
  balances: Readonly<Partial<Record<Account, number>>>,
  lines: readonly PostingLine[],
): Partial<Record<Account, number>> {
  const next = { ...balances };
  for (const line of lines) next[line.account] = (next[line.account] ?? 0) + signedAmount(line);
  return next;
}
