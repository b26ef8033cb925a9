//! Stage 2: counts the words the tokenizer finds (a typed call into stage 1).

wit_bindgen::generate!({ path: "../../../wit", world: "counter" });

use exports::witpipe::text::analyze::{Guest, Stats, Token, WordCount};
use std::collections::BTreeMap;
use witpipe::text::tokenize::split;

struct Counter;

impl Guest for Counter {
    fn analyze(text: String, top: u32) -> Stats {
        let tokens = split(&text);
        let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
        for t in &tokens {
            *counts.entry(t.word.as_str()).or_default() += 1;
        }
        let mut ranked: Vec<WordCount> = counts
            .iter()
            .map(|(w, c)| WordCount {
                word: w.to_string(),
                count: *c,
            })
            .collect();
        ranked.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
        ranked.truncate(top as usize);
        // The first of the longest words.
        let mut longest: Option<Token> = None;
        for t in &tokens {
            if longest
                .as_ref()
                .is_none_or(|l| t.word.chars().count() > l.word.chars().count())
            {
                longest = Some(t.clone());
            }
        }
        Stats {
            words: tokens.len() as u32,
            distinct: counts.len() as u32,
            longest,
            top: ranked,
        }
    }
}

export!(Counter);
