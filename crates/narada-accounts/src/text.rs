//! Polish-aware text handling: sorting by the Polish alphabet and accent-insensitive search.
//!
//! Byte or code-point order puts "Łódź" after "Żory"; the Polish alphabet is
//! a ą b c ć d e ę f g h i j k l ł m n ń o ó p q r s ś t u v w x y z ź ż. Search folds case and
//! the Polish diacritics so "lodz" finds "Łódź" and "ŁÓDŹ" finds "łódź".

use std::cmp::Ordering;

const ALPHABET: &str = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż";

/// Sort key for one lower-cased character: letters by their place in the Polish alphabet,
/// digits and others before letters, in code-point order.
fn char_key(c: char) -> (u8, u32) {
    match ALPHABET.chars().position(|a| a == c) {
        Some(i) => (1, i as u32),
        None => (0, c as u32),
    }
}

/// Compares two strings as a Polish reader expects (case-insensitive first, then by case).
pub fn polish_cmp(a: &str, b: &str) -> Ordering {
    let ka = a.to_lowercase();
    let kb = b.to_lowercase();
    ka.chars()
        .map(char_key)
        .cmp(kb.chars().map(char_key))
        .then_with(|| a.cmp(b))
}

/// Lower-case and strip Polish diacritics, for matching search queries.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'ą' => 'a',
            'ć' => 'c',
            'ę' => 'e',
            'ł' => 'l',
            'ń' => 'n',
            'ó' => 'o',
            'ś' => 's',
            'ź' | 'ż' => 'z',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_polish_letters_in_alphabet_order() {
        let mut v = vec![
            "Żory",
            "Łódź",
            "Zabrze",
            "Lublin",
            "Ełk",
            "Elbląg",
            "Ćmielów",
            "Cieszyn",
        ];
        v.sort_by(|a, b| polish_cmp(a, b));
        assert_eq!(
            v,
            [
                "Cieszyn",
                "Ćmielów",
                "Elbląg",
                "Ełk",
                "Lublin",
                "Łódź",
                "Zabrze",
                "Żory"
            ]
        );
    }

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("ŁÓDŹ Zażółć"), "lodz zazolc");
        assert!(fold("Plan Ulepszeń — Miasto Zielone").contains(&fold("ULEPSZEN")));
    }
}
