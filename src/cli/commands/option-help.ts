// Help texts that several commands' options share (the register files stay free of the
// action modules, which load the database and the rest).

export const DB_OPTION_HELP = 'SQLite database file (default DB_PATH)';

export const EXPECT_HEAD_HELP = 'fail unless the chain has this SEQ:HASH (as printed by `ordinis audit head`, kept elsewhere)';

export const VERIFY_FILE_HELP = 'verify an audit export file (ordinis audit export) on its own, without a database';
