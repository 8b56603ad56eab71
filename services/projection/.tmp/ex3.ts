import pg from 'pg';

const pool = new pg.Pool({
  connectionString: 'postgres://postgres:yishi-local@127.0.0.1:47311/gen100kb',
});
const { rows: g } = await pool.query(
  `select schema_name from projection_generations where projection='proposals' and status='active'`,
);
const s = g[0].schema_name;
const { rows: keys } = await pool.query(
  `select community_id, proposal_id, vote_id, voter_id, item_id from ${s}.ballots order by random() limit 2000`,
);
const cols = ['community_id', 'proposal_id', 'vote_id', 'voter_id', 'item_id'];
const arrays = cols.map((c) => keys.map((k) => k[c]));
const r = await pool.query(
  `explain analyze SELECT * FROM ${s}.ballots WHERE valid_to_tx IS NULL AND (community_id, proposal_id, vote_id, voter_id, item_id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]))`,
  arrays,
);
console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
await pool.end();
