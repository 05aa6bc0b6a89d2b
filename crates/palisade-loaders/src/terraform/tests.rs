//! Tests of the HCL reader.
