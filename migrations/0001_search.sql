-- Full-text search over articles (issue 5). The index holds text already normalized and stemmed by
-- src/lib/arabic.ts (analyzeDocument), which SQL cannot run: rows that exist before this migration are indexed
-- by rebuildSearchIndexIfNeeded() (src/modules/search/search.repository.ts), which bootstrap calls right after
-- the migrations. Contentless (content=''): the stemmed text is never read back, and contentless_delete lets a
-- row be deleted or replaced by rowid (= articles.id). `categories` keeps combining marks inside a token, as the
-- JS tokenizer does, so a query word is never split into a phrase.
CREATE VIRTUAL TABLE `articles_fts` USING fts5(
  title, excerpt, body,
  content = '', contentless_delete = 1,
  tokenize = "porter unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
);
--> statement-breakpoint
-- Relevance: title above excerpt above body.
INSERT INTO `articles_fts` (`articles_fts`, `rank`) VALUES ('rank', 'bm25(10.0, 5.0, 1.0)');
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
