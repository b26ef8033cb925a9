//! Stage 1: splits text into lower-case words with their byte offsets.

wit_bindgen::generate!({ path: "../../../wit", world: "tokenizer" });

use exports::witpipe::text::tokenize::{Guest, Token};

struct Tokenizer;

impl Guest for Tokenizer {
    fn split(text: String) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            let part_of_word = c.is_alphanumeric() || c == '\'';
            match (start, part_of_word) {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    let word = text[s..i].trim_matches('\'').to_lowercase();
                    if !word.is_empty() {
                        tokens.push(Token {
                            word,
                            offset: s as u32,
                        });
                    }
                    start = None;
                }
                _ => {}
            }
        }
        tokens
    }
}

export!(Tokenizer);
