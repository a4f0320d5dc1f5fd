CREATE TABLE `article_previews` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`token_hash` text NOT NULL,
	`token_name` text,
	`expires_at` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_previews_token_hash_unique` ON `article_previews` (`token_hash`);--> statement-breakpoint
CREATE INDEX `article_previews_article_idx` ON `article_previews` (`article_id`,`expires_at`);--> statement-breakpoint
CREATE TABLE `article_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`number` integer NOT NULL,
	`state` text NOT NULL,
	`token_name` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_revisions_article_number_idx` ON `article_revisions` (`article_id`,`number`);--> statement-breakpoint
ALTER TABLE `tags` ADD `created_explicitly` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Tags that exist already stay public, as they were: which of them POST /v1/tags made is not known.
UPDATE `tags` SET `created_explicitly` = true;
