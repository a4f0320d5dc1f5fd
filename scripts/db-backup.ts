/** npm run db:backup -- <file>: the backup command of src/db/backup-command.ts (compiled into the image too). */
import '../src/db/backup-command.js'
