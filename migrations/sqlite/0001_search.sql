-- Full-text search over articles (issue 5). The index holds text already normalized and stemmed by
-- src/lib/arabic.ts (analyzeDocument), which SQL cannot run: rows that exist before this migration are indexed
-- by rebuildSearchIndexIfNeeded() (src/modules/search/search.repository.ts), which bootstrap calls right after
-- the migrations.
-- Contentless (content=''): the stemmed text is never read back, and contentless_delete lets a row be deleted or
-- replaced by rowid (= articles.id). status, published_at and author are copies kept as UNINDEXED columns
-- (stored, thanks to contentless_unindexed) so that visibility and the author filter are checked without
-- reading the article row, whose body and HTML spill onto overflow pages: with a join, that read cost more
-- than the search itself. `categories` keeps combining marks inside a token, as the JS tokenizer does.
CREATE VIRTUAL TABLE `articles_fts` USING fts5(
  title, excerpt, body,
  status UNINDEXED, published_at UNINDEXED, author UNINDEXED,
  content = '', contentless_delete = 1, contentless_unindexed = 1,
  tokenize = "porter unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
);
--> statement-breakpoint
-- Relevance: title above excerpt above body (the UNINDEXED columns hold no terms).
INSERT INTO `articles_fts` (`articles_fts`, `rank`) VALUES ('rank', 'bm25(10.0, 5.0, 1.0, 0.0, 0.0, 0.0)');
--> statement-breakpoint
-- Which analyzer version built the index. 0 means "not built": the articles already here must be indexed. An
-- empty articles table has nothing to index, so it starts at version 1 (ANALYZER_VERSION in search.repository.ts).
CREATE TABLE `search_index_state` (
  `key` text PRIMARY KEY NOT NULL,
  `value` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `search_index_state` (`key`, `value`)
  SELECT 'articles_analyzer_version', CASE WHEN EXISTS (SELECT 1 FROM `articles`) THEN 0 ELSE 1 END;
