-- SQLite's 0005 kept document frequencies beside its FTS5 index, both
-- dropped by 0006; PostgreSQL starts with Herald's own index (0006).
SELECT 1;
