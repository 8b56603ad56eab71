import pg from 'pg';

const pool = new pg.Pool({
  connectionString: 'postgres://postgres:yishi-local@127.0.0.1:47311/gen100kb',
  max: 1,
});
const { rows: g } = await pool.query(
  `select schema_name from projection_generations where projection='proposals' and status='active'`,
);
const s = g[0].schema_name;
await pool.query(
  `drop schema if exists xx cascade; create schema xx; create table xx.ballots (like ${s}.ballots including all) with (autovacuum_enabled = false); insert into xx.ballots select * from ${s}.ballots`,
);
const { rows: keys } = await pool.query(
  `select community_id, proposal_id, vote_id, voter_id, item_id from ${s}.ballots order by random() limit 2000`,
);
const cols = ['community_id', 'proposal_id', 'vote_id', 'voter_id', 'item_id'];
const arrays = cols.map((c) => keys.map((k) => k[c]));
await pool.query('begin');

const r = await pool.query(
  `explain analyze SELECT t.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS k(a, b, c, d, e) CROSS JOIN LATERAL (SELECT * FROM xx.ballots t WHERE t.community_id = k.a AND t.proposal_id = k.b AND t.vote_id = k.c AND t.voter_id = k.d AND t.item_id = k.e AND t.valid_to_tx IS NULL LIMIT 1) t`,
  arrays,
);
console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
await pool.query('commit');
await pool.query('drop schema xx cascade');
await pool.end();
