-- The job runner looks for jobs left `running` by a runner that died (`requeueStale`). Without
-- an index that was a scan of every job ever run — done ones included — on each round, which
-- with a few thousand order confirmation mails cost more than sending them.
CREATE INDEX jobs_running_idx ON jobs (locked_at) WHERE status = 'running';
