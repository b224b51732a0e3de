// Opens (and so compacts) the command journal named on the command line: the process the crash test kills mid-step.
import { CommandJournal } from "./command-journal.js";

const [file = "", capacity = "2"] = process.argv.slice(2);
await CommandJournal.open(file, Number(capacity));
