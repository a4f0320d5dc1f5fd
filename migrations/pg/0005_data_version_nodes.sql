CREATE TABLE "data_version_nodes" (
	"id" text PRIMARY KEY NOT NULL,
	"lease_until" timestamp (3) with time zone NOT NULL,
	"seen" bigint NOT NULL
);
