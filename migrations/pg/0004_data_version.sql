CREATE TABLE "data_version" (
	"id" integer PRIMARY KEY NOT NULL,
	"n" bigint NOT NULL
);
