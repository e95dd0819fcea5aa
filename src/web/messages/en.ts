// English page texts. Keys are shared with zh-CN.ts; other features may add namespaces with
// addMessages() (src/web/i18n.ts).
export const en = {
  common: {
    appTitle: 'Opal Account',
    signIn: 'Sign in',
    signOut: 'Sign out',
    error: 'Error',
    errorCode: 'Error code: {{code}}',
  },
  login: {
    title: 'Sign in',
    continueTo: 'Sign in to continue to {{app}}',
    account: 'Account, email or phone',
    password: 'Password',
    submit: 'Sign in',
    invalid: 'Wrong account or password.',
    throttled: 'Too many attempts. Please wait {{seconds}} seconds and try again.',
    signedInAs: 'You are signed in as {{account}}.',
    switchNote: 'Currently signed in as {{account}}. Sign in with another account below.',
    badForm: 'The form expired. Please try again.',
  },
  logout: {
    title: 'Sign out',
    confirm: 'Sign out of {{account}}?',
    submit: 'Sign out',
    done: 'You have signed out.',
    rpConfirm: '{{app}} asks you to sign out. Sign out of {{account}}?',
  },
  consent: {
    title: 'Authorize {{app}}',
    intro: '{{app}} would like to:',
    account: 'Signed in as {{account}}',
    switchAccount: 'Switch account',
    allow: 'Allow',
    deny: 'Deny',
  },
  scope: {
    '1': 'See your profile (nickname and avatar)',
    '2': 'See your friend list',
    '3': 'Know your account identifier for this app (openId)',
    '4': 'See your phone number',
    '5': 'Change your profile',
    '6': 'See your email address',
    '16000': 'See your coupons and passes',
    openid: 'Confirm who you are (sign you in)',
    other: 'Use permission {{id}}',
  },
  errors: {
    title: 'This request cannot be processed',
    '96001': 'The application is unknown or not enabled.',
    logoutRequest: 'This sign-out request names an app or an id_token that this server did not issue.',
    logoutUri: 'The address to return to after signing out is not registered for this app.',
    '96002': 'The request is missing a required parameter or is malformed.',
    '96010': 'The redirect address does not match the application registration.',
    csrf: 'The form expired or was not sent by this site. Go back and try again.',
    crossOrigin: 'This form was sent from another site, so nothing was changed. Open this site directly and try again.',
    internal: 'Something went wrong on our side. Please try again later.',
  },
};

export type Messages = typeof en;
