//! Guest exceptions as values: every instruction handler returns `Result<_, Fault>`.

/// Exception vectors.
pub mod vector {
    pub const DE: u8 = 0;
    pub const DB: u8 = 1;
    pub const NMI: u8 = 2;
    pub const BP: u8 = 3;
    pub const OF: u8 = 4;
    pub const BR: u8 = 5;
    pub const UD: u8 = 6;
    pub const NM: u8 = 7;
    pub const DF: u8 = 8;
    pub const TS: u8 = 10;
    pub const NP: u8 = 11;
    pub const SS: u8 = 12;
    pub const GP: u8 = 13;
    pub const PF: u8 = 14;
    pub const MF: u8 = 16;
    pub const AC: u8 = 17;
}

/// Why an instruction stopped before completing. Most are architectural exceptions that are
/// delivered to the guest; a few are host-side events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// An architectural exception with an optional error code.
    Exception { vector: u8, error: Option<u32> },
    /// The CPU shut down (triple fault): the machine must reset.
    Shutdown,
}

impl Fault {
    pub const fn exc(vector: u8) -> Fault {
        Fault::Exception {
            vector,
            error: None,
        }
    }
    pub const fn exc_code(vector: u8, code: u32) -> Fault {
        Fault::Exception {
            vector,
            error: Some(code),
        }
    }
    pub const DE: Fault = Fault::exc(vector::DE);
    pub const UD: Fault = Fault::exc(vector::UD);
    pub const NM: Fault = Fault::exc(vector::NM);
    pub const BR: Fault = Fault::exc(vector::BR);
    pub const MF: Fault = Fault::exc(vector::MF);
    pub const fn gp(code: u32) -> Fault {
        Fault::exc_code(vector::GP, code)
    }
    pub const fn ss(code: u32) -> Fault {
        Fault::exc_code(vector::SS, code)
    }
    pub const fn np(code: u32) -> Fault {
        Fault::exc_code(vector::NP, code)
    }
    pub const fn ts(code: u32) -> Fault {
        Fault::exc_code(vector::TS, code)
    }
    pub const fn ac() -> Fault {
        Fault::exc_code(vector::AC, 0)
    }
    /// The vector, for exceptions.
    pub fn vector(&self) -> Option<u8> {
        match self {
            Fault::Exception { vector, .. } => Some(*vector),
            Fault::Shutdown => None,
        }
    }
}

/// Result of a guest operation that may fault.
pub type GResult<T> = Result<T, Fault>;
