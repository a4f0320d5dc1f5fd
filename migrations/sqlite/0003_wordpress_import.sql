CREATE TABLE `article_redirects` (
	`key` text PRIMARY KEY NOT NULL,
	`article_id` integer NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `article_redirects_article_idx` ON `article_redirects` (`article_id`);--> statement-breakpoint
CREATE TABLE `import_records` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site` text NOT NULL,
	`kind` text NOT NULL,
	`wp_id` integer NOT NULL,
	`guid` text,
	`sahifa_id` integer,
	`checksum` text NOT NULL,
	`url` text,
	`thumbnail_wp_id` integer,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `import_records_site_kind_wp_id_idx` ON `import_records` (`site`,`kind`,`wp_id`);