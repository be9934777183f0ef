import { mount } from 'svelte';
import App from './App.svelte';
import { chooseLanguageBeforeMount } from './i18n/first-paint';
import './theme.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app missing from index.html');
const api = window.consoleApi;
// Mounted once the agent's language is here (or a short bound has passed): no first frame in the
// wrong language, and never an empty window — `finally` mounts even if the wait itself broke.
void chooseLanguageBeforeMount(api).finally(() => mount(App, { target, props: { api } }));
